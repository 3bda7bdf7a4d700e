import type { DriftCheckRequest, DriftReport } from '@prodclass/catalog/drift/report';
import { isAlreadyExists, type ObjectList } from '@prodclass/kube/api';
import { type ConditionUpdate, timestamp } from '@prodclass/kube/conditions';
import type { Logger } from '@prodclass/kube/log';
import { controllerReference, keyOf } from '@prodclass/kube/objects';
import { trainingTags } from '@prodclass/registry/contract/mlflow-tags';
import { childName } from '../children/names.js';
import {
  type DriftMonitor,
  type DriftMonitorSpec,
  type DriftMonitorStatus,
  driftMonitorType,
  type TrainingRun,
  trainingRunType,
} from '../resources/types.js';
import { validDriftMonitorSpec } from '../resources/validate.js';
import { parseCron } from '../schedule/cron.js';
import type { ReconcileContext } from './context.js';
import type { Announcement } from './status-change.js';
import { reconciler, type StatusWriter, validSpec } from './steps.js';

/** Labels the TrainingRuns a monitor creates with the monitor's name, to find them after a restart. */
export const driftMonitorLabel = 'mlops.prodclass.dev/drift-monitor';
export const driftReportAnnotation = 'mlops.prodclass.dev/drift-report';
/** When the monitor decided the retrain, on the operator's clock (which the cooldown is measured on). */
export const retrainTimeAnnotation = 'mlops.prodclass.dev/drift-retrain-time';

/** Longest wait between two looks at a monitor, whatever its schedule says. */
const longestWaitMs = 3_600_000;
/** How soon a monitor whose target cannot be checked (yet) is looked at again. */
const problemRetryMs = 300_000;

/**
 * Whether a check is due now, else when. A new monitor, or one whose spec changed, is checked at
 * once; otherwise at the first scheduled time after the last check, so checks missed while the
 * operator was down are made up by one check, not one per missed time.
 */
export function checkDue(
  status: DriftMonitorStatus,
  generation: number | undefined,
  spec: Pick<DriftMonitorSpec, 'schedule' | 'timeZone'>,
  now: Date,
): { due: true } | { due: false; at: Date } {
  if (!status.lastCheckTime || status.observedGeneration !== generation) return { due: true };
  const at = parseCron(spec.schedule, spec.timeZone).next(new Date(status.lastCheckTime));
  return at.getTime() <= now.getTime() ? { due: true } : { due: false, at };
}

/** The drift check a monitor asks for at `now`. */
export function driftRequest(
  monitor: string,
  spec: DriftMonitorSpec,
  model: ModelUnderWatch,
  now: Date,
): DriftCheckRequest {
  const currentFrom = new Date(now.getTime() - spec.currentWindowMs);
  return {
    monitor,
    modelName: model.name,
    current: { from: currentFrom, to: now },
    reference:
      spec.referenceWindow.source === 'TrainingData'
        ? {
            kind: 'trainingData',
            modelVersion: model.referenceVersion ?? '',
            dataVersion: model.trainingData,
          }
        : {
            kind: 'window',
            from: new Date(currentFrom.getTime() - spec.referenceWindow.lengthMs),
            to: currentFrom,
          },
    tests: spec.tests,
    thresholds: spec.thresholds,
    minSamples: spec.minSamples,
  };
}

export const isDrift = (report: Pick<DriftReport, 'outcome' | 'severity'>) =>
  report.outcome === 'Checked' && (report.severity === 'ALERT' || report.severity === 'CRITICAL');

/**
 * Whether drift may start a TrainingRun now: not while the cooldown since the last one runs. The
 * last one is the later of what the status recorded and the newest TrainingRun the monitor owns,
 * so neither a lost status write nor an operator restart lets a second run through.
 */
export function retrainDecision(
  now: Date,
  cooldownMs: number,
  lastRetrains: (string | undefined)[],
): { retrain: true } | { retrain: false; until: Date } {
  const times = lastRetrains.flatMap((at) => (at ? [Date.parse(at)] : [])).filter(Number.isFinite);
  if (times.length === 0) return { retrain: true };
  const until = Math.max(...times) + cooldownMs;
  return until > now.getTime() ? { retrain: false, until: new Date(until) } : { retrain: true };
}

/** The status summary and conditions of a report. */
export function reportStatus(report: DriftReport): {
  status: DriftMonitorStatus;
  conditions: ConditionUpdate[];
  announcement: Announcement;
} {
  const tests = report.tests
    .filter((result) => !result.notApplicable)
    .map((result) => ({
      feature: result.feature,
      test: result.test,
      ...(Number.isFinite(result.statistic) ? { statistic: result.statistic } : {}),
      ...(result.pValue !== null && Number.isFinite(result.pValue) ? { pValue: result.pValue } : {}),
      severity: result.severity,
    }));
  const status: DriftMonitorStatus = {
    modelName: report.modelName,
    severity: report.severity,
    lastCheckTime: timestamp(report.checkedAt),
    lastReport: {
      id: report.id,
      outcome: report.outcome,
      currentSamples: report.current.samples,
      referenceSamples: report.reference.samples,
      tests,
    },
  };
  const samples = `${report.current.samples} current and ${report.reference.samples} reference rows`;
  if (report.outcome === 'InsufficientData') {
    const message = `too few predictions to judge drift (${samples})`;
    return {
      status,
      conditions: [
        { type: 'InsufficientData', status: 'True', reason: 'TooFewSamples', message },
        { type: 'Drifted', status: 'Unknown', reason: 'InsufficientData', message },
        { type: 'Ready', status: 'True', reason: 'InsufficientData', message },
      ],
      announcement: { type: 'Normal', reason: 'InsufficientData', message },
    };
  }
  const flagged = tests
    .filter((test) => test.severity !== 'OK')
    .map((test) => `${test.feature} ${test.test} ${test.statistic?.toFixed(3) ?? '?'} (${test.severity})`);
  const message = `severity ${report.severity} over ${samples}${flagged.length ? `: ${flagged.join(', ')}` : ''}`;
  const drifted = isDrift(report);
  return {
    status,
    conditions: [
      { type: 'InsufficientData', status: 'False', reason: 'EnoughSamples', message: samples },
      drifted
        ? { type: 'Drifted', status: 'True', reason: 'DriftDetected', message }
        : { type: 'Drifted', status: 'False', reason: 'NoDrift', message },
      { type: 'Ready', status: 'True', reason: 'Checked', message: `report ${report.id}: ${message}` },
    ],
    announcement: drifted
      ? { type: 'Warning', reason: 'DriftDetected', message }
      : { type: 'Normal', reason: 'Checked', message },
  };
}

/** The registered model a monitor compares; for a TrainingData reference, the version and its data load. */
export interface ModelUnderWatch {
  name: string;
  referenceVersion?: string;
  trainingData?: string;
}

type Target = ModelUnderWatch | { problem: ConditionUpdate };

async function resolveTarget(
  ctx: ReconcileContext,
  namespace: string,
  spec: DriftMonitorSpec,
): Promise<Target> {
  let name: string;
  let referenceVersion = spec.modelVersion;
  if ('registeredModel' in spec.target) name = spec.target.registeredModel;
  else {
    const serviceName = spec.target.predictionService;
    const service = ctx.caches.predictionServices.get(namespace, serviceName);
    if (!service) {
      const message = `PredictionService ${serviceName} not found`;
      return { problem: { type: 'Ready', status: 'False', reason: 'TargetNotFound', message } };
    }
    name = service.spec.registeredModel ?? 'rakuten_classifier';
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
  spec: DriftMonitorSpec,
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
  spec: DriftMonitorSpec,
  report: DriftReport,
  now: Date,
  log: Logger,
): Promise<void> {
  const monitor = writer.object;
  const status = writer.status;
  const retrainTime = (run: TrainingRun) =>
    run.metadata.annotations?.[retrainTimeAnnotation] ?? run.metadata.creationTimestamp ?? '';
  const newest = (await ownedTrainingRuns(ctx, monitor))
    .sort((a, b) => retrainTime(a).localeCompare(retrainTime(b)))
    .at(-1);
  const created = newest && retrainTime(newest);
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
export const reconcileDriftMonitor = reconciler(
  {
    cache: (caches) => caches.driftMonitors,
    type: driftMonitorType,
    gone: (ctx, key) => ctx.metrics.setDrift(key),
  },
  async (ctx, writer: MonitorWriter, log) => {
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
    if (!due.due) return { requeueAfterMs: Math.min(due.at.getTime() - now.getTime() + 1000, longestWaitMs) };

    const target = await resolveTarget(ctx, monitor.metadata.namespace ?? '', spec);
    if ('problem' in target) {
      // The PredictionService's watch events bring the monitor back, but not a tag set in MLflow.
      await writer.condition(target.problem).write();
      return { requeueAfterMs: problemRetryMs };
    }
    const report = await check(ctx, writer, driftRequest(key, spec, target, now));
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
    if (isDrift(report) && spec.onDrift === 'retrain') await retrain(ctx, writer, spec, report, now, log);

    await writer
      .condition(...summary.conditions)
      .announce(summary.announcement)
      .write();
    exportMetrics(writer.object.status ?? {});
    log.info('drift checked', { report: report.id, severity: report.severity, outcome: report.outcome });
    return { requeueAfterMs: Math.min(nextCheck.getTime() - now.getTime() + 1000, longestWaitMs) };
  },
);
