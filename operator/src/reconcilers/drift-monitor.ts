import { defaultRegisteredModel } from '@prodclass/api/defaults';
import type { DriftCheckRequest, DriftReport, PerformanceReference } from '@prodclass/catalog/drift/report';
import { isAlreadyExists, type ObjectList } from '@prodclass/kube/api';
import { type ConditionUpdate, timestamp } from '@prodclass/kube/conditions';
import type { Logger } from '@prodclass/kube/log';
import { controllerReference, keyOf } from '@prodclass/kube/objects';
import { metricKey } from '@prodclass/registry/contract/metric-keys';
import { trainingTags } from '@prodclass/registry/contract/mlflow-tags';
import { childName } from '../children/names.js';
import { driftRequest, type ModelUnderWatch } from '../drift/check-request.js';
import { reportStatus } from '../drift/report-status.js';
import {
  newestRetrain,
  retrainDecision,
  retrainTimeAnnotation,
  retrainTimeOf,
  wantsRetrain,
} from '../drift/retrain-decision.js';
import { describeController, watchReferences } from '../manager/controller-description.js';
import { driftMonitors, predictionServices } from '../manager/kinds.js';
import type { ReconcileContext } from '../manager/reconcile-context.js';
import type { StatusWriter } from '../manager/status-writer.js';
import {
  type DriftMonitor,
  type DriftMonitorSettings,
  type DriftMonitorStatus,
  driftMonitorType,
  type TrainingRun,
  trainingRunType,
} from '../resources/types.js';
import { validDriftMonitorSpec } from '../resources/validate.js';
import { parseCron } from '../schedule/cron.js';
import { checkDue, waitForCheckMs } from '../schedule/drift-check-due.js';
import { validSpec } from './valid-spec.js';

/** Labels the TrainingRuns a monitor creates with the monitor's name, to find them after a restart. */
export const driftMonitorLabel = 'mlops.prodclass.dev/drift-monitor';
export const driftReportAnnotation = 'mlops.prodclass.dev/drift-report';

/** How soon a monitor whose target cannot be checked (yet) is looked at again. */
const problemRetryMs = 300_000;

type Target = ModelUnderWatch | { problem: ConditionUpdate };

async function resolveTarget(
  ctx: ReconcileContext,
  namespace: string,
  spec: DriftMonitorSettings,
): Promise<Target> {
  let name: string;
  let referenceVersion = spec.modelVersion;
  if ('registeredModel' in spec.target) name = spec.target.registeredModel;
  else {
    const serviceName = spec.target.predictionService;
    const service = ctx.caches.of(predictionServices).get(namespace, serviceName);
    if (!service) {
      const message = `PredictionService ${serviceName} not found`;
      return { problem: { type: 'Ready', status: 'False', reason: 'TargetNotFound', message } };
    }
    name = service.spec.registeredModel ?? defaultRegisteredModel;
    referenceVersion ??= service.status?.servedVersion;
    if (spec.referenceWindow.source === 'TrainingData' && !referenceVersion) {
      const message = `PredictionService ${serviceName} serves no version yet: no training data to compare with`;
      return { problem: { type: 'Ready', status: 'False', reason: 'NoServedVersion', message } };
    }
  }
  if (spec.referenceWindow.source !== 'TrainingData' || !referenceVersion) return { name };
  const trainingData = await ctx.mlflow.trainingDataOf(name, referenceVersion);
  if (!trainingData) {
    const message = `${name} version ${referenceVersion} records no training data load (${trainingTags.dataVersion})`;
    return { problem: { type: 'Ready', status: 'False', reason: 'NoTrainingData', message } };
  }
  return { name, referenceVersion, trainingData };
}

/**
 * What a performance test compares with: the version judged (spec.modelVersion, else the one the
 * PredictionService serves) and its test accuracy in MLflow. Undefined without a performance test.
 */
async function performanceReference(
  ctx: ReconcileContext,
  namespace: string,
  spec: DriftMonitorSettings,
  modelName: string,
): Promise<PerformanceReference | undefined> {
  if (!spec.tests.some((test) => test.test === 'performance')) return undefined;
  const version =
    spec.modelVersion ??
    ('predictionService' in spec.target
      ? ctx.caches.of(predictionServices).get(namespace, spec.target.predictionService)?.status?.servedVersion
      : undefined);
  if (!version)
    return {
      unknown: 'no version to judge: set spec.modelVersion, or watch a PredictionService that serves one',
    };
  const scores = await ctx.mlflow.offlineScoresOf(modelName, version);
  if (scores === undefined)
    return {
      unknown: `${modelName} version ${version} records no ${metricKey('test', 'accuracy')} in MLflow`,
    };
  return { modelVersion: version, ...scores, minLabels: spec.minLabels };
}

/** The TrainingRuns this monitor created, straight from the API server (the cache may be behind). */
async function ownedTrainingRuns(ctx: ReconcileContext, monitor: DriftMonitor): Promise<TrainingRun[]> {
  const { namespace = '', name, uid } = monitor.metadata;
  const list = await ctx.api.request<ObjectList<TrainingRun>>('GET', trainingRunType.path(namespace), {
    query: { labelSelector: `${driftMonitorLabel}=${name}` },
  });
  return list.items.filter((run) => run.metadata.ownerReferences?.some((owner) => owner.uid === uid));
}

/** Creates the TrainingRun for a drifted report unless it exists already (its name comes from the report). */
async function createTrainingRun(
  ctx: ReconcileContext,
  monitor: DriftMonitor,
  spec: DriftMonitorSettings,
  report: DriftReport,
  decidedAt: Date,
): Promise<string> {
  const { namespace = '', name } = monitor.metadata;
  const runName = childName(name, `retrain-${report.id.slice(0, 8)}`);
  const run: TrainingRun = {
    apiVersion: trainingRunType.apiVersion,
    kind: trainingRunType.kind,
    metadata: {
      name: runName,
      namespace,
      labels: { [driftMonitorLabel]: name },
      annotations: { [driftReportAnnotation]: report.id, [retrainTimeAnnotation]: timestamp(decidedAt) },
      ownerReferences: [controllerReference(monitor)],
    },
    spec: spec.trainingRunFor(report.modelName),
  };
  await ctx.api.create(trainingRunType, namespace, run).catch((error: unknown) => {
    if (!isAlreadyExists(error)) throw error;
  });
  return runName;
}

type MonitorWriter = StatusWriter<DriftMonitorStatus, DriftMonitor>;

/**
 * Drift with onDrift retrain: a TrainingRun unless the cooldown since the last one runs. The status
 * records when and which run was started (or a run whose status write was lost).
 */
async function retrain(
  ctx: ReconcileContext,
  writer: MonitorWriter,
  spec: DriftMonitorSettings,
  report: DriftReport,
  now: Date,
  log: Logger,
): Promise<void> {
  const monitor = writer.object;
  const status = writer.status;
  const newest = newestRetrain(await ownedTrainingRuns(ctx, monitor));
  const created = newest && retrainTimeOf(newest);
  const decision = retrainDecision(now, spec.cooldownMs, [status.lastRetrainTime, created]);
  if (decision.retrain) {
    const runName = await createTrainingRun(ctx, monitor, spec, report, now);
    writer.set({ lastRetrainTime: timestamp(now), lastTrainingRun: runName });
    log.info('drift retrain', { trainingRun: runName, report: report.id, severity: report.severity });
    ctx.events.record(
      monitor,
      'Normal',
      'RetrainCreated',
      `created TrainingRun ${runName} for report ${report.id} (severity ${report.severity})`,
    );
    return;
  }
  // A run whose status write was lost is recorded now.
  if (newest && created && newest.metadata.name !== status.lastTrainingRun)
    writer.set({ lastRetrainTime: created, lastTrainingRun: newest.metadata.name });
  ctx.events.record(
    monitor,
    'Normal',
    'RetrainCoolingDown',
    `drift ${report.severity}, but no TrainingRun before ${timestamp(decision.until)} (cooldown)`,
  );
}

/** Runs the check; a check that fails is recorded in Ready and thrown (the reconcile is retried). */
async function check(
  ctx: ReconcileContext,
  writer: MonitorWriter,
  request: DriftCheckRequest,
): Promise<DriftReport> {
  try {
    return await ctx.driftChecks.check(request);
  } catch (error) {
    const message = `drift check failed: ${(error as Error).message}`;
    await writer
      .condition({ type: 'Ready', status: 'False', reason: 'CheckFailed', message })
      .announce({ type: 'Warning', reason: 'CheckFailed', message })
      .write();
    throw error;
  }
}

/**
 * DriftMonitor: on its schedule, compares the monitored model's recent predictions with the
 * reference in PostgreSQL, stores the report, summarises it in the status and the metrics, and on
 * ALERT or CRITICAL with onDrift retrain creates a TrainingRun (owned by the monitor), at most once
 * per cooldown.
 */
export const driftMonitorController = describeController({
  for: driftMonitors,
  // A monitor of a PredictionService looks again when the service changes (its served version).
  watches: [watchReferences(predictionServices, driftMonitors, (monitor) => monitor.spec.predictionService)],
  gone: (ctx, key) => ctx.metrics.setDrift(key),
  async reconcile(ctx, writer: MonitorWriter, log) {
    const monitor = writer.object;
    const key = keyOf(monitor);
    const status = writer.status;
    const exportMetrics = (from: DriftMonitorStatus) =>
      ctx.metrics.setDrift(
        key,
        from.severity && from.lastReport
          ? { severity: from.severity, tests: from.lastReport.tests }
          : undefined,
      );
    // After an operator restart the gauges come back from the status, not from a new check.
    exportMetrics(status);

    const spec = await validSpec(monitor.spec, validDriftMonitorSpec, (message) =>
      writer
        .condition({ type: 'Ready', status: 'False', reason: 'InvalidSpec', message })
        .announce({ type: 'Warning', reason: 'InvalidSpec', message })
        .write(),
    );
    if (!spec) return undefined;

    const now = ctx.now();
    let due = checkDue(status, monitor.metadata.generation, spec, now);
    if (due.due) {
      // A check stores a new report every time, so it is not taken on the cache's word: a
      // reconcile right after the last status write may see the monitor before that write.
      const stored = await ctx.api.request<DriftMonitor>(
        'GET',
        driftMonitorType.path(monitor.metadata.namespace, monitor.metadata.name),
      );
      due = checkDue(stored.status ?? {}, stored.metadata.generation, spec, now);
    }
    if (!due.due) return { requeueAfterMs: waitForCheckMs(due.at, now) };

    const target = await resolveTarget(ctx, monitor.metadata.namespace ?? '', spec);
    if ('problem' in target) {
      // The PredictionService's watch events bring the monitor back, but not a tag set in MLflow.
      await writer.condition(target.problem).write();
      return { requeueAfterMs: problemRetryMs };
    }
    const performance = await performanceReference(ctx, monitor.metadata.namespace ?? '', spec, target.name);
    const report = await check(ctx, writer, driftRequest(key, spec, { ...target, performance }, now));
    const summary = reportStatus(report);
    const nextCheck = parseCron(spec.schedule, spec.timeZone).next(now);
    writer.set({
      ...summary.status,
      // The schedule runs on the reconciler's clock: the report's own checkedAt is the database
      // side's wall time, which a test's shifted clock (or a skewed one) would not match.
      lastCheckTime: timestamp(now),
      referenceVersion: target.referenceVersion,
      nextCheckTime: timestamp(nextCheck),
    });
    if (wantsRetrain(report, spec)) await retrain(ctx, writer, spec, report, now, log);

    await writer
      .condition(...summary.conditions)
      .announce(summary.announcement)
      .write();
    exportMetrics(writer.object.status ?? {});
    log.info('drift checked', { report: report.id, severity: report.severity, outcome: report.outcome });
    return { requeueAfterMs: waitForCheckMs(nextCheck, now) };
  },
});
