import { timestamp } from '@prodclass/kube/conditions';
import type { Logger } from '@prodclass/kube/log';
import { controllerReference } from '@prodclass/kube/objects';
import type { Job } from '@prodclass/kube/workloads';
import { type LoadResult, loadResultOf } from '@prodclass/registry/contract/job-result';
import { loadCommandArgs, syntheticSourceName } from '@prodclass/registry/contract/load-command';
import { cliJob, type JobState, jobState } from '../children/jobs.js';
import { childName } from '../children/names.js';
import { describeController } from '../manager/controller-description.js';
import { dataIncrements, jobs } from '../manager/kinds.js';
import type { ReconcileContext } from '../manager/reconcile-context.js';
import type { StatusWriter } from '../manager/status-writer.js';
import type { DataIncrement, DataIncrementSpec, DataIncrementStatus } from '../resources/types.js';
import { validDataIncrementSpec } from '../resources/validate.js';
import { createJob, findJob, readJobResult } from './job-lookup.js';
import { fail, recordJob, waitForJob } from './job-status.js';
import { validSpec } from './valid-spec.js';

/** The `prodclass data load` arguments for a DataIncrement. */
export function loadArgs(spec: DataIncrementSpec, dataVersion: string): string[] {
  const { synthetic, files } = spec.source;
  const source = synthetic
    ? { source: syntheticSourceName, syntheticRows: synthetic.rows, syntheticSeed: synthetic.seed }
    : { source: files?.path ?? files?.url ?? '' };
  const amount =
    spec.toPercent !== undefined ? { toPercent: spec.toPercent } : { increment: spec.incrementPercent };
  return loadCommandArgs({ ...source, ...amount, name: dataVersion, seed: spec.seed });
}

type IncrementWriter = StatusWriter<DataIncrementStatus, DataIncrement>;

/** The figures of the completed load, as the increment's result. */
async function succeed(writer: IncrementWriter, load: LoadResult): Promise<undefined> {
  await writer
    .set({
      phase: 'Succeeded',
      dataVersion: load.dataVersion,
      rowsAdded: load.rowsAdded,
      totalRows: load.totalRows,
      percentage: load.percentage,
      datasetFingerprint: load.datasetFingerprint,
      completionTime: load.completedAt ? timestamp(new Date(load.completedAt)) : timestamp(),
    })
    .condition(
      {
        type: 'Loaded',
        status: 'True',
        reason: 'Loaded',
        message: `+${load.rowsAdded} rows, ${load.totalRows} in all (${load.percentage}% of the source)`,
      },
      { type: 'Ready', status: 'True', reason: 'Succeeded', message: `load ${load.dataVersion} completed` },
    )
    .announce({
      type: 'Normal',
      reason: 'Loaded',
      message: `load ${load.dataVersion}: +${load.rowsAdded} rows, ${load.totalRows} in all`,
    })
    .write();
  return undefined;
}

/** No Job: the load recorded already, or a new Job (its watch event brings the increment back). */
async function startJob(
  ctx: ReconcileContext,
  writer: IncrementWriter,
  spec: DataIncrementSpec,
  names: { load: string; job: string },
  log: Logger,
): Promise<undefined> {
  const recorded = await ctx.dataLoads.named(names.load);
  if (recorded?.status === 'completed') return succeed(writer, loadResultOf(recorded));
  if (writer.status.jobName)
    return fail(
      writer.set({ dataVersion: names.load }),
      'Loaded',
      'JobDeleted',
      `Job ${names.job} was deleted before the load was recorded`,
    );
  const increment = writer.object;
  const outcome = await createJob(
    ctx,
    cliJob(ctx.settings, {
      name: names.job,
      namespace: increment.metadata.namespace ?? '',
      owner: controllerReference(increment),
      component: 'data-load',
      args: loadArgs(spec, names.load),
      backoffLimit: 1,
    }),
  );
  log.info('load job', { job: names.job, outcome });
  return undefined;
}

/** The Job ended: the result its Pod reported, or, for a failed Job, the error data_loads recorded. */
async function recordLoad(
  ctx: ReconcileContext,
  writer: IncrementWriter,
  job: Job,
  state: JobState,
  names: { load: string; job: string },
): Promise<undefined> {
  writer.set({ dataVersion: names.load });
  if (state.state === 'failed') {
    const recorded = await ctx.dataLoads.named(names.load);
    return fail(
      writer,
      'Loaded',
      'JobFailed',
      recorded?.error ? `${state.message}: ${recorded.error}` : state.message,
    );
  }
  const lookup = await readJobResult(ctx, job, 'load');
  if (!lookup.found) return fail(writer, 'Loaded', lookup.reason, lookup.message);
  return succeed(writer, lookup.result);
}

/**
 * DataIncrement: one load Job (`<name>-load`), then the figures its Pod reported.
 * A load that is already recorded as completed under that name is taken as the result without a Job.
 */
export const dataIncrementController = describeController({
  for: dataIncrements,
  owns: [jobs],
  async reconcile(ctx, writer: IncrementWriter, log) {
    const increment = writer.object;
    const status = writer.status;
    const finished = status.phase === 'Succeeded' || status.phase === 'Failed';
    if (finished && status.observedGeneration === increment.metadata.generation) return undefined;

    const spec = await validSpec(increment.spec, validDataIncrementSpec, async (message) => {
      await writer
        .set({ phase: 'Failed' })
        .condition({ type: 'Ready', status: 'False', reason: 'InvalidSpec', message })
        .announce({ type: 'Warning', reason: 'InvalidSpec', message })
        .write();
    });
    if (!spec) return undefined;
    const { namespace = '', name } = increment.metadata;
    const names = { load: spec.dataVersion ?? name, job: childName(name, 'load') };
    const job = await findJob(ctx, namespace, names.job, status.jobName !== undefined);
    if (!job) return startJob(ctx, writer, spec, names, log);

    if (!status.jobName) {
      writer.set({ dataVersion: names.load });
      recordJob(writer, job, `Job ${names.job} runs the load`);
    }
    const state = jobState(job);
    if (state.state !== 'complete' && state.state !== 'failed')
      return waitForJob(writer, state, names.job, 'Loaded', 'Loading', {
        type: 'Normal',
        reason: 'JobCreated',
        message: `created Job ${names.job} to load ${names.load}`,
      });
    return recordLoad(ctx, writer, job, state, names);
  },
});
