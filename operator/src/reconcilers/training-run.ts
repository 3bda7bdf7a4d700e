import {
  metricKey,
  promotionTags,
  trainCommandArgs,
  trainFlags,
  trainingRunTag,
  trainingTags,
} from '@prodclass/core';
import { cliJob, type Job, jobState } from '../children/jobs.js';
import { childName } from '../children/names.js';
import type { ReconcileResult } from '../controller.js';
import { isAlreadyExists } from '../kube/api.js';
import { type ConditionUpdate, conditionOf, timestamp, withConditions } from '../kube/conditions.js';
import { controllerReference, splitKey } from '../kube/objects.js';
import type { Logger } from '../log.js';
import {
  type ModelPromotion,
  modelPromotionType,
  type TrainingMetrics,
  type TrainingRun,
  type TrainingRunSpec,
  type TrainingRunStatus,
  trainingRunType,
} from '../resources/types.js';
import { InvalidSpec, validTrainingRunSpec } from '../resources/validate.js';
import type { ReconcileContext } from './context.js';
import { createJob, findJob } from './job-lookup.js';
import { type Announcement, publish } from './status-change.js';

/** The `prodclass train` arguments for a TrainingRun. */
export function trainArgs(run: TrainingRun, spec: TrainingRunSpec, dataLoad: string): string[] {
  const { namespace, name } = run.metadata;
  const h = spec.hyperparameters;
  const promotion = spec.autoPromote.enabled
    ? { decidePromotion: true, minF1: spec.autoPromote.minF1, alias: spec.autoPromote.alias }
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
  });
}

const metricNames: Record<keyof TrainingMetrics, string> = {
  accuracy: metricKey('test', 'accuracy'),
  f1Weighted: metricKey('test', 'f1_weighted'),
  f1Macro: metricKey('test', 'f1_macro'),
  precisionWeighted: metricKey('test', 'precision_weighted'),
  recallWeighted: metricKey('test', 'recall_weighted'),
};

/** The load a training Job was started on, from its arguments (no data version: the latest). */
function dataLoadOf(job: Job): string {
  const args = job.spec?.template.spec?.containers[0]?.args ?? [];
  const at = args.indexOf(trainFlags.dataVersion);
  return at >= 0 ? (args[at + 1] ?? 'latest') : 'latest';
}

/** Where the data a run asked for stands: a load name to train on, or why not yet (or never). */
type DataReadiness =
  | { ready: true; load: string }
  | { ready: false; final: boolean; reason: string; message: string };

function dataReadiness(ctx: ReconcileContext, namespace: string, dataVersion: string): DataReadiness {
  if (dataVersion === 'latest') return { ready: true, load: 'latest' };
  const increment = ctx.caches.dataIncrements.get(namespace, dataVersion);
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
  if (increment.status?.phase !== 'Succeeded' || !increment.status.loadName)
    return {
      ready: false,
      final: false,
      reason: 'DataIncrementNotReady',
      message: `waiting for DataIncrement ${dataVersion} to succeed`,
    };
  return { ready: true, load: increment.status.loadName };
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

/**
 * TrainingRun: waits for its data, runs one training Job (`<name>-train`), reads the MLflow run the
 * Job tagged with this object, and when the Job decided to promote, creates a ModelPromotion
 * (`<name>-promotion`, owned by the run) and follows it.
 */
export async function reconcileTrainingRun(
  ctx: ReconcileContext,
  key: string,
  log: Logger,
): Promise<ReconcileResult | undefined> {
  const { namespace, name } = splitKey(key);
  const run = ctx.caches.trainingRuns.get(namespace, name);
  if (!run || run.metadata.deletionTimestamp) return undefined;
  const generation = run.metadata.generation;
  const status = run.status ?? {};
  const promotionName = childName(name, 'promotion');

  // What a reconcile that first sees the Job records along with whatever else it writes.
  let jobRecord: TrainingRunStatus = {};
  let jobConditions: ConditionUpdate[] = [];
  const next = (update: TrainingRunStatus, conditions: ConditionUpdate[], announcement?: Announcement) =>
    publish(
      ctx,
      trainingRunType,
      run,
      {
        ...status,
        ...jobRecord,
        ...update,
        observedGeneration: generation,
        conditions: withConditions(status.conditions, [...jobConditions, ...conditions], generation),
      },
      announcement,
    );
  const fail = (condition: string, reason: string, message: string) =>
    next(
      { phase: 'Failed', completionTime: timestamp() },
      [
        { type: condition, status: 'False', reason, message },
        { type: 'Ready', status: 'False', reason: 'Failed', message },
      ],
      { type: 'Warning', reason, message },
    );

  if (status.observedGeneration === generation && status.phase === 'Failed') return undefined;
  if (status.observedGeneration === generation && status.phase === 'Succeeded') {
    if (status.promotion?.decision !== 'promote') return undefined;
    const promoted = promotedCondition(
      ctx.caches.modelPromotions.get(namespace, promotionName),
      promotionName,
    );
    await next({}, [promoted]);
    return undefined;
  }

  let spec: TrainingRunSpec;
  try {
    spec = validTrainingRunSpec(run.spec);
  } catch (error) {
    if (!(error instanceof InvalidSpec)) throw error;
    await fail('Ready', 'InvalidSpec', error.message);
    return undefined;
  }
  const jobName = childName(name, 'train');
  const job = await findJob(ctx, namespace, jobName, status.jobName !== undefined);

  if (!job) {
    if (status.jobName) {
      await fail('Trained', 'JobDeleted', `Job ${jobName} was deleted before the run was recorded`);
      return undefined;
    }
    const data = dataReadiness(ctx, namespace, spec.dataVersion);
    if (!data.ready) {
      if (data.final) await fail('DataReady', data.reason, data.message);
      else
        await next({ phase: 'Pending' }, [
          { type: 'DataReady', status: 'False', reason: data.reason, message: data.message },
          { type: 'Ready', status: 'False', reason: 'WaitingForData', message: data.message },
        ]);
      return undefined;
    }
    const outcome = await createJob(
      ctx,
      cliJob(ctx.settings, {
        name: jobName,
        namespace,
        owner: controllerReference(run),
        component: 'training',
        args: trainArgs(run, spec, data.load),
        backoffLimit: spec.backoffLimit,
        activeDeadlineSeconds: spec.activeDeadlineSeconds,
        resources: spec.resources,
      }),
    );
    log.info('training job', { job: jobName, outcome });
    // The Job's watch event brings the run back to record it: one write per run on a burst's
    // critical path to its Job.
    return undefined;
  }

  if (!status.jobName) {
    const dataLoad = dataLoadOf(job);
    jobRecord = { jobName, dataLoad, startTime: job.metadata.creationTimestamp ?? timestamp() };
    jobConditions = [
      { type: 'DataReady', status: 'True', reason: 'DataReady', message: `training on ${dataLoad}` },
      {
        type: 'JobCreated',
        status: 'True',
        reason: 'JobCreated',
        message: `Job ${jobName} trains the model`,
      },
    ];
  }
  const state = jobState(job);
  if (state.state === 'failed') {
    await fail('Trained', 'JobFailed', state.message);
    return undefined;
  }
  if (state.state !== 'complete') {
    const waiting = `waiting for Job ${jobName}`;
    await next(
      { phase: state.state === 'running' ? 'Running' : 'Pending' },
      [
        { type: 'Trained', status: 'Unknown', reason: 'Training', message: waiting },
        { type: 'Ready', status: 'False', reason: 'Training', message: waiting },
      ],
      status.jobName
        ? undefined
        : {
            type: 'Normal',
            reason: 'JobCreated',
            message: `created Job ${jobName} to train on ${jobRecord.dataLoad}`,
          },
    );
    return undefined;
  }

  const record = await ctx.mlflow.trainingRecord(spec.experiment, `${namespace}/${name}`);
  if (!record?.modelVersion) {
    await fail(
      'Trained',
      record ? 'NoModelVersion' : 'RunNotFound',
      record
        ? `MLflow run ${record.runId} has no ${trainingTags.modelVersion} tag`
        : `Job ${jobName} completed but MLflow has no run tagged ${trainingRunTag}=${namespace}/${name} in experiment ${spec.experiment}`,
    );
    return undefined;
  }
  const metrics = Object.fromEntries(
    Object.entries(metricNames).flatMap(([field, metric]) =>
      record.metrics[metric] === undefined ? [] : [[field, record.metrics[metric]]],
    ),
  ) as TrainingMetrics;
  const trained: ConditionUpdate = {
    type: 'Trained',
    status: 'True',
    reason: 'Registered',
    message: `registered ${spec.registeredModel} v${record.modelVersion} from run ${record.runId}`,
  };
  const ready: ConditionUpdate = {
    type: 'Ready',
    status: 'True',
    reason: 'Succeeded',
    message: trained.message,
  };
  const done: TrainingRunStatus = {
    phase: 'Succeeded',
    dataLoad: record.dataLoad ?? status.dataLoad,
    mlflowRunId: record.runId,
    modelVersion: record.modelVersion,
    f1: metrics.f1Weighted?.toFixed(3),
    metrics,
    completionTime: state.completionTime ?? timestamp(),
  };
  const announcement: Announcement = {
    type: 'Normal',
    reason: 'Trained',
    message: `${trained.message}; weighted F1 ${metrics.f1Weighted?.toFixed(4) ?? 'unknown'}`,
  };
  if (!spec.autoPromote.enabled) {
    await next(done, [trained, ready], announcement);
    return undefined;
  }

  const decision = await ctx.mlflow.decisionOf(spec.registeredModel, record.modelVersion);
  if (!decision) {
    await next(
      done,
      [
        trained,
        ready,
        {
          type: 'Promoted',
          status: 'False',
          reason: 'NoDecision',
          message: `version ${record.modelVersion} has no ${promotionTags.decision} tag`,
        },
      ],
      announcement,
    );
    return undefined;
  }
  if (decision.decision === 'reject') {
    await next(
      { ...done, promotion: { decision: 'reject', reason: decision.reason } },
      [trained, ready, { type: 'Promoted', status: 'False', reason: 'Rejected', message: decision.reason }],
      announcement,
    );
    return undefined;
  }
  const promotion: ModelPromotion = {
    apiVersion: modelPromotionType.apiVersion,
    kind: modelPromotionType.kind,
    metadata: { name: promotionName, namespace, ownerReferences: [controllerReference(run)] },
    spec: {
      registeredModel: spec.registeredModel,
      version: Number(record.modelVersion),
      alias: spec.autoPromote.alias,
      reason: `auto-promoted by TrainingRun ${namespace}/${name}: ${decision.reason}`.slice(0, 1024),
    },
  };
  await ctx.api.create(modelPromotionType, namespace, promotion).catch((error: unknown) => {
    if (!isAlreadyExists(error)) throw error;
  });
  await next(
    { ...done, promotion: { decision: 'promote', reason: decision.reason, modelPromotion: promotionName } },
    [
      trained,
      ready,
      promotedCondition(ctx.caches.modelPromotions.get(namespace, promotionName), promotionName),
    ],
    announcement,
  );
  return undefined;
}
