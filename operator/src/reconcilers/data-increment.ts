import { type DataLoad, loadCommandArgs, syntheticSourceName } from '@prodclass/core';
import { cliJob, jobState } from '../children/jobs.js';
import { childName } from '../children/names.js';
import type { ReconcileResult } from '../controller.js';
import { type ConditionUpdate, timestamp, withConditions } from '../kube/conditions.js';
import { controllerReference, splitKey } from '../kube/objects.js';
import type { Logger } from '../log.js';
import {
  type DataIncrement,
  type DataIncrementSpec,
  type DataIncrementStatus,
  dataIncrementType,
} from '../resources/types.js';
import { InvalidSpec, validDataIncrementSpec } from '../resources/validate.js';
import type { ReconcileContext } from './context.js';
import { createJob, findJob } from './job-lookup.js';
import { type Announcement, publish } from './status-change.js';

/** The `prodclass data load` arguments for a DataIncrement. */
export function loadArgs(spec: DataIncrementSpec, loadName: string): string[] {
  const { synthetic, files } = spec.source;
  const source = synthetic
    ? { source: syntheticSourceName, syntheticRows: synthetic.rows, syntheticSeed: synthetic.seed }
    : { source: files?.path ?? files?.url ?? '' };
  const amount =
    spec.toPercent !== undefined ? { toPercent: spec.toPercent } : { increment: spec.incrementPercent };
  return loadCommandArgs({ ...source, ...amount, name: loadName, seed: spec.seed });
}

/**
 * DataIncrement: one load Job (`<name>-load`), then the figures of the data_loads row it recorded.
 * A load that is already recorded as completed under that name is taken as the result without a Job.
 */
export async function reconcileDataIncrement(
  ctx: ReconcileContext,
  key: string,
  log: Logger,
): Promise<ReconcileResult | undefined> {
  const { namespace, name } = splitKey(key);
  const increment = ctx.caches.dataIncrements.get(namespace, name);
  if (!increment || increment.metadata.deletionTimestamp) return undefined;
  const generation = increment.metadata.generation;
  const status = increment.status ?? {};
  const finished = status.phase === 'Succeeded' || status.phase === 'Failed';
  if (finished && status.observedGeneration === generation) return undefined;

  // What a reconcile that first sees the Job records along with whatever else it writes.
  let jobRecord: DataIncrementStatus = {};
  let jobConditions: ConditionUpdate[] = [];
  const next = (
    update: DataIncrementStatus,
    conditions: ConditionUpdate[],
    announcement?: Announcement,
  ): Promise<DataIncrement> =>
    publish(
      ctx,
      dataIncrementType,
      increment,
      {
        ...status,
        ...jobRecord,
        ...update,
        observedGeneration: generation,
        conditions: withConditions(status.conditions, [...jobConditions, ...conditions], generation),
      },
      announcement,
    );

  let spec: DataIncrementSpec;
  try {
    spec = validDataIncrementSpec(increment.spec);
  } catch (error) {
    if (!(error instanceof InvalidSpec)) throw error;
    await next(
      { phase: 'Failed' },
      [{ type: 'Ready', status: 'False', reason: 'InvalidSpec', message: error.message }],
      {
        type: 'Warning',
        reason: 'InvalidSpec',
        message: error.message,
      },
    );
    return undefined;
  }
  const loadName = spec.loadName ?? name;
  const jobName = childName(name, 'load');
  const succeed = (load: DataLoad) =>
    next(
      {
        phase: 'Succeeded',
        loadName,
        rowsAdded: load.rows_added ?? 0,
        totalRows: load.cumulative_rows ?? 0,
        percentage: load.cumulative_percentage,
        datasetFingerprint: load.dataset_fingerprint ?? undefined,
        completionTime: load.completed_at ? timestamp(new Date(load.completed_at)) : timestamp(),
      },
      [
        {
          type: 'Loaded',
          status: 'True',
          reason: 'Loaded',
          message: `+${load.rows_added} rows, ${load.cumulative_rows} in all (${load.cumulative_percentage}% of the source)`,
        },
        { type: 'Ready', status: 'True', reason: 'Succeeded', message: `load ${loadName} completed` },
      ],
      {
        type: 'Normal',
        reason: 'Loaded',
        message: `load ${loadName}: +${load.rows_added} rows, ${load.cumulative_rows} in all`,
      },
    );
  const fail = (reason: string, message: string) =>
    next(
      { phase: 'Failed', loadName, completionTime: timestamp() },
      [
        { type: 'Loaded', status: 'False', reason, message },
        { type: 'Ready', status: 'False', reason: 'Failed', message },
      ],
      { type: 'Warning', reason, message },
    );

  const job = await findJob(ctx, namespace, jobName, status.jobName !== undefined);
  if (!job) {
    const recorded = await ctx.dataLoads.named(loadName);
    if (recorded?.status === 'completed') {
      await succeed(recorded);
      return undefined;
    }
    if (status.jobName) {
      await fail('JobDeleted', `Job ${jobName} was deleted before the load was recorded`);
      return undefined;
    }
    const outcome = await createJob(
      ctx,
      cliJob(ctx.settings, {
        name: jobName,
        namespace,
        owner: controllerReference(increment),
        component: 'data-load',
        args: loadArgs(spec, loadName),
        backoffLimit: 1,
      }),
    );
    log.info('load job', { job: jobName, outcome });
    // The Job's watch event brings the increment back to record it.
    return undefined;
  }

  if (!status.jobName) {
    jobRecord = { jobName, loadName, startTime: job.metadata.creationTimestamp ?? timestamp() };
    jobConditions = [
      { type: 'JobCreated', status: 'True', reason: 'JobCreated', message: `Job ${jobName} runs the load` },
    ];
  }
  const state = jobState(job);
  if (state.state === 'complete') {
    const recorded = await ctx.dataLoads.named(loadName);
    if (recorded?.status === 'completed') await succeed(recorded);
    else
      await fail(
        'LoadNotRecorded',
        `Job ${jobName} completed but data_loads has ${recorded ? `a ${recorded.status} row` : 'no row'} named ${loadName}`,
      );
    return undefined;
  }
  if (state.state === 'failed') {
    const recorded = await ctx.dataLoads.named(loadName);
    await fail('JobFailed', recorded?.error ? `${state.message}: ${recorded.error}` : state.message);
    return undefined;
  }
  const waiting = `waiting for Job ${jobName}`;
  await next(
    { phase: state.state === 'running' ? 'Running' : 'Pending' },
    [
      { type: 'Loaded', status: 'Unknown', reason: 'Loading', message: waiting },
      { type: 'Ready', status: 'False', reason: 'Loading', message: waiting },
    ],
    status.jobName
      ? undefined
      : { type: 'Normal', reason: 'JobCreated', message: `created Job ${jobName} to load ${loadName}` },
  );
  return undefined;
}
