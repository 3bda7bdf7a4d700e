import { defaultPromotionApproval, modelPromotionDefaults } from '@prodclass/api/defaults';
import { isAlreadyExists } from '@prodclass/kube/api';
import { type ConditionUpdate, conditionOf, timestamp } from '@prodclass/kube/conditions';
import type { Logger } from '@prodclass/kube/log';
import { controllerReference } from '@prodclass/kube/objects';
import type { Job } from '@prodclass/kube/workloads';
import type { TrainResult } from '@prodclass/registry/contract/job-result';
import { metricKey } from '@prodclass/registry/contract/metric-keys';
import { trainingRunTag } from '@prodclass/registry/contract/mlflow-tags';
import { trainCommandArgs } from '@prodclass/registry/contract/train-command';
import { cliJob, jobState } from '../children/jobs.js';
import { childName } from '../children/names.js';
import { describeController, watchReferences } from '../manager/controller-description.js';
import { dataIncrements, jobs, modelPromotions, trainingRuns } from '../manager/kinds.js';
import type { ReconcileContext } from '../manager/reconcile-context.js';
import type { StatusWriter } from '../manager/status-writer.js';
import {
  type ModelPromotion,
  modelPromotionType,
  type TrainingMetrics,
  type TrainingRun,
  type TrainingRunSpec,
  type TrainingRunStatus,
} from '../resources/types.js';
import { validTrainingRunSpec } from '../resources/validate.js';
import { createJob, findJob, readJobResult } from './job-lookup.js';
import { fail, recordJob, waitForJob } from './job-status.js';
import { validSpec } from './valid-spec.js';

/** The `prodclass train` arguments for a TrainingRun. */
export function trainArgs(run: TrainingRun, spec: TrainingRunSpec, dataLoad: string): string[] {
  const { namespace, name } = run.metadata;
  const h = spec.hyperparameters;
  const promotion = spec.autoPromote.enabled
    ? {
        decidePromotion: true,
        minF1: spec.autoPromote.minF1,
        minComparisonRows: spec.autoPromote.minComparisonRows,
        maxClassDrop: spec.autoPromote.maxClassDrop,
        criticalClass: Object.fromEntries(
          (spec.autoPromote.criticalClasses ?? []).map(({ code, floor }) => [code, floor]),
        ),
        alias: spec.autoPromote.alias,
      }
    : {};
  return trainCommandArgs({
    // Without a data version, `prodclass train` takes the newest completed load.
    dataVersion: dataLoad === 'latest' ? undefined : dataLoad,
    registeredModel: spec.registeredModel,
    experiment: spec.experiment,
    runName: name,
    tag: { [trainingRunTag]: `${namespace}/${name}` },
    maxFeatures: h.maxFeatures,
    ngramMax: h.ngramMax,
    minDf: h.minDf,
    maxDf: h.maxDf,
    C: h.c,
    maxIter: h.maxIter,
    classWeight: h.classWeight,
    seed: h.seed,
    testSize: h.testSize,
    ...promotion,
    ...(spec.feedback
      ? { feedbackSince: spec.feedback.since, feedbackSource: spec.feedback.sources ?? [] }
      : {}),
  });
}

const metricNames: Record<keyof TrainingMetrics, string> = {
  accuracy: metricKey('test', 'accuracy'),
  f1Weighted: metricKey('test', 'f1_weighted'),
  f1Macro: metricKey('test', 'f1_macro'),
  precisionWeighted: metricKey('test', 'precision_weighted'),
  recallWeighted: metricKey('test', 'recall_weighted'),
};

/** The Job's annotation naming the data version it trains on (`latest`: the newest completed load). */
const dataVersionAnnotation = 'mlops.prodclass.dev/data-version';
/** The annotation's name on Jobs created by operators before the rename. */
const deprecatedDataLoadAnnotation = 'mlops.prodclass.dev/data-load';

/** Where the data a run asked for stands: a load name to train on, or why not yet (or never). */
type DataReadiness =
  | { ready: true; load: string }
  | { ready: false; final: boolean; reason: string; message: string };

function dataReadiness(ctx: ReconcileContext, namespace: string, dataVersion: string): DataReadiness {
  if (dataVersion === 'latest') return { ready: true, load: 'latest' };
  const increment = ctx.caches.of(dataIncrements).get(namespace, dataVersion);
  if (!increment)
    return {
      ready: false,
      final: false,
      reason: 'DataIncrementNotFound',
      message: `waiting for DataIncrement ${dataVersion}`,
    };
  if (increment.status?.phase === 'Failed')
    return {
      ready: false,
      final: true,
      reason: 'DataIncrementFailed',
      message: `DataIncrement ${dataVersion} failed`,
    };
  // Increments that succeeded before the rename recorded their data version as loadName.
  const incrementVersion = increment.status?.dataVersion ?? increment.status?.loadName;
  if (increment.status?.phase !== 'Succeeded' || !incrementVersion)
    return {
      ready: false,
      final: false,
      reason: 'DataIncrementNotReady',
      message: `waiting for DataIncrement ${dataVersion} to succeed`,
    };
  return { ready: true, load: incrementVersion };
}

/** The Promoted condition of a run whose version should be promoted, from its ModelPromotion. */
function promotedCondition(promotion: ModelPromotion | undefined, name: string): ConditionUpdate {
  const ready = conditionOf(promotion?.status?.conditions, 'Ready');
  if (promotion?.status?.phase === 'Succeeded')
    return {
      type: 'Promoted',
      status: 'True',
      reason: 'Promoted',
      message: ready?.message ?? `ModelPromotion ${name}`,
    };
  if (promotion?.status?.phase === 'Failed')
    return {
      type: 'Promoted',
      status: 'False',
      reason: 'PromotionFailed',
      message: ready?.message ?? `ModelPromotion ${name} failed`,
    };
  return {
    type: 'Promoted',
    status: 'Unknown',
    reason: 'PromotionPending',
    message: `ModelPromotion ${name} is pending`,
  };
}

type RunWriter = StatusWriter<TrainingRunStatus, TrainingRun>;

/** A Succeeded run whose version is to be promoted follows its ModelPromotion in its Promoted condition. */
async function followPromotion(ctx: ReconcileContext, writer: RunWriter): Promise<undefined> {
  if (writer.status.promotion?.decision !== 'promote') return undefined;
  const { namespace = '', name } = writer.object.metadata;
  const promotionName = childName(name, 'promotion');
  await writer
    .condition(promotedCondition(ctx.caches.of(modelPromotions).get(namespace, promotionName), promotionName))
    .write();
  return undefined;
}

/** No Job yet: waits for the data, then creates the Job (its watch event brings the run back). */
async function startJob(
  ctx: ReconcileContext,
  writer: RunWriter,
  spec: TrainingRunSpec,
  jobName: string,
  log: Logger,
): Promise<undefined> {
  const run = writer.object;
  const namespace = run.metadata.namespace ?? '';
  if (writer.status.jobName)
    return fail(writer, 'Trained', 'JobDeleted', `Job ${jobName} was deleted before the run was recorded`);
  const data = dataReadiness(ctx, namespace, spec.dataVersion);
  if (!data.ready) {
    if (data.final) return fail(writer, 'DataReady', data.reason, data.message);
    await writer
      .set({ phase: 'Pending' })
      .condition(
        { type: 'DataReady', status: 'False', reason: data.reason, message: data.message },
        { type: 'Ready', status: 'False', reason: 'WaitingForData', message: data.message },
      )
      .write();
    return undefined;
  }
  const outcome = await createJob(
    ctx,
    cliJob(ctx.settings, {
      name: jobName,
      namespace,
      owner: controllerReference(run),
      component: 'training',
      annotations: { [dataVersionAnnotation]: data.load },
      args: trainArgs(run, spec, data.load),
      backoffLimit: spec.backoffLimit,
      activeDeadlineSeconds: spec.activeDeadlineSeconds,
      resources: spec.resources,
    }),
  );
  log.info('training job', { job: jobName, outcome });
  // One write per run on a burst's critical path to its Job: the Job's watch event records it.
  return undefined;
}

/** The ModelPromotion a promote decision asks for, owned by the run. */
function promotionFor(
  run: TrainingRun,
  spec: TrainingRunSpec,
  version: string,
  reason: string,
): ModelPromotion {
  const { namespace = '', name } = run.metadata;
  return {
    apiVersion: modelPromotionType.apiVersion,
    kind: modelPromotionType.kind,
    metadata: {
      name: childName(name, 'promotion'),
      namespace,
      ownerReferences: [controllerReference(run)],
    },
    spec: {
      registeredModel: spec.registeredModel,
      version: Number(version),
      alias: spec.autoPromote.alias,
      reason: `auto-promoted by TrainingRun ${namespace}/${name}: ${reason}`.slice(0, 1024),
      approval: defaultPromotionApproval,
      impactPreview: modelPromotionDefaults.impactPreview,
      strategy: modelPromotionDefaults.strategy,
    },
  };
}

/** What the Job reported in its result: the MLflow run, the version, its scores and, with autoPromote, the decision. */
async function recordTraining(
  ctx: ReconcileContext,
  writer: RunWriter,
  spec: TrainingRunSpec,
  job: Job,
  completionTime: string | undefined,
): Promise<undefined> {
  const lookup = await readJobResult(ctx, job, 'train');
  if (!lookup.found) return fail(writer, 'Trained', lookup.reason, lookup.message);
  const trained = lookup.result;
  const metrics = Object.fromEntries(
    Object.entries(metricNames).flatMap(([field, metric]) =>
      trained.metrics[metric] === undefined ? [] : [[field, trained.metrics[metric]]],
    ),
  ) as TrainingMetrics;
  const registered = `registered ${trained.registeredModel} v${trained.modelVersion} from run ${trained.runId}`;
  writer
    .set({
      phase: 'Succeeded',
      dataVersion: trained.dataVersion,
      mlflowRunId: trained.runId,
      modelVersion: trained.modelVersion,
      f1: metrics.f1Weighted?.toFixed(3),
      metrics,
      completionTime: completionTime ?? timestamp(),
    })
    .condition(
      { type: 'Trained', status: 'True', reason: 'Registered', message: registered },
      { type: 'Ready', status: 'True', reason: 'Succeeded', message: registered },
    )
    .announce({
      type: 'Normal',
      reason: 'Trained',
      message: `${registered}; weighted F1 ${metrics.f1Weighted?.toFixed(4) ?? 'unknown'}`,
    });
  if (spec.autoPromote.enabled) await recordDecision(ctx, writer, spec, trained);
  await writer.write();
  return undefined;
}

/** The promotion decision the Job reported; on promote, the ModelPromotion. */
async function recordDecision(
  ctx: ReconcileContext,
  writer: RunWriter,
  spec: TrainingRunSpec,
  trained: TrainResult,
): Promise<void> {
  const decision = trained.promotion;
  if (!decision) {
    const message = `the result of version ${trained.modelVersion} has no promotion decision`;
    writer.condition({ type: 'Promoted', status: 'False', reason: 'NoDecision', message });
    return;
  }
  if (decision.decision === 'reject') {
    writer
      .set({ promotion: { decision: 'reject', reason: decision.reason } })
      .condition({ type: 'Promoted', status: 'False', reason: 'Rejected', message: decision.reason });
    return;
  }
  const run = writer.object;
  const promotion = promotionFor(run, spec, trained.modelVersion, decision.reason);
  const { namespace = '', name: promotionName } = promotion.metadata;
  await ctx.api.create(modelPromotionType, namespace, promotion).catch((error: unknown) => {
    if (!isAlreadyExists(error)) throw error;
  });
  writer
    .set({ promotion: { decision: 'promote', reason: decision.reason, modelPromotion: promotionName } })
    .condition(
      promotedCondition(ctx.caches.of(modelPromotions).get(namespace, promotionName), promotionName),
    );
}

/**
 * TrainingRun: waits for its data, runs one training Job (`<name>-train`), reads the result the Job's
 * Pod reported (its MLflow run, version, scores and decision), and when the Job decided to promote, creates a ModelPromotion
 * (`<name>-promotion`, owned by the run) and follows it. A change of the DataIncrement a run
 * trains on wakes the run.
 */
export const trainingRunController = describeController({
  for: trainingRuns,
  owns: [jobs, modelPromotions],
  watches: [watchReferences(dataIncrements, trainingRuns, (run) => run.spec.dataVersion)],
  async reconcile(ctx, writer: RunWriter, log) {
    const run = writer.object;
    const status = writer.status;
    if (status.observedGeneration === run.metadata.generation) {
      if (status.phase === 'Failed') return undefined;
      if (status.phase === 'Succeeded') return followPromotion(ctx, writer);
    }
    const spec = await validSpec(run.spec, validTrainingRunSpec, (message) =>
      fail(writer, 'Ready', 'InvalidSpec', message),
    );
    if (!spec) return undefined;

    const { namespace = '', name } = run.metadata;
    const jobName = childName(name, 'train');
    const job = await findJob(ctx, namespace, jobName, status.jobName !== undefined);
    if (!job) return startJob(ctx, writer, spec, jobName, log);
    const annotations = job.metadata.annotations ?? {};
    const dataVersion =
      annotations[dataVersionAnnotation] ?? annotations[deprecatedDataLoadAnnotation] ?? 'latest';
    if (!status.jobName) {
      const message = `training on ${dataVersion}`;
      writer
        .set({ dataVersion })
        .condition({ type: 'DataReady', status: 'True', reason: 'DataReady', message });
      recordJob(writer, job, `Job ${jobName} trains the model`);
    }
    const state = jobState(job);
    if (state.state === 'failed') return fail(writer, 'Trained', 'JobFailed', state.message);
    if (state.state !== 'complete')
      return waitForJob(writer, state, jobName, 'Trained', 'Training', {
        type: 'Normal',
        reason: 'JobCreated',
        message: `created Job ${jobName} to train on ${dataVersion}`,
      });
    return recordTraining(ctx, writer, spec, job, state.completionTime);
  },
});
