import { KubeApi } from '@prodclass/kube/api';
import type { Connection } from '@prodclass/kube/connection';
import { EventRecorder } from '@prodclass/kube/events';
import { Informer } from '@prodclass/kube/informer';
import { managedSelector } from '@prodclass/kube/labels';
import { LeaderElector } from '@prodclass/kube/leader-election';
import type { Logger } from '@prodclass/kube/log';
import {
  controllerKey,
  deploymentType,
  jobType,
  type KubeObject,
  keyOf,
  type ResourceType,
  serviceType,
} from '@prodclass/kube/objects';
import type { Deployment, Job } from '@prodclass/kube/workloads';
import { type HorizontalPodAutoscaler, horizontalPodAutoscalerType } from './children/autoscaler.js';
import { type PodDisruptionBudget, podDisruptionBudgetType } from './children/disruption-budget.js';
import type { OperatorSettings } from './config.js';
import { Controller, type Reconcile } from './controller.js';
import { DataLoadRecords } from './external/data-loads.js';
import { DriftChecks } from './external/drift-checks.js';
import { MlflowRecords } from './external/mlflow.js';
import type { Promote } from './external/promotion.js';
import { startHttpServer } from './http-server.js';
import { OperatorMetrics } from './metrics.js';
import type { Caches, ReconcileContext } from './reconcilers/context.js';
import { reconcileDataIncrement } from './reconcilers/data-increment.js';
import { reconcileDriftAcknowledgement } from './reconcilers/drift-acknowledgement.js';
import { reconcileDriftMonitor } from './reconcilers/drift-monitor.js';
import { reconcileModelPromotion } from './reconcilers/model-promotion.js';
import { reconcilePredictionService } from './reconcilers/prediction-service.js';
import { reconcileRetrainSchedule } from './reconcilers/retrain-schedule.js';
import { reconcileTrainingRun } from './reconcilers/training-run.js';
import { type DriftAcknowledgement, driftAcknowledgementType } from './resources/drift-acknowledgement.js';
import {
  type DataIncrement,
  type DriftMonitor,
  dataIncrementType,
  driftMonitorType,
  type ModelPromotion,
  modelPromotionType,
  type PredictionService,
  predictionServiceType,
  type RetrainSchedule,
  retrainScheduleType,
  type TrainingRun,
  trainingRunType,
} from './resources/types.js';

export interface RunningOperator {
  readonly metrics: OperatorMetrics;
  readonly httpPort: number;
  readonly leading: boolean;
  /** Resolves when the operator has stopped: after `stop()`, or by itself when it lost the lease. */
  readonly stopped: Promise<'stopped' | 'lost-lease'>;
  /** Graceful shutdown: finish in-flight reconciles, stop the watches, hand the lease back. */
  stop(): Promise<void>;
}

/**
 * Starts the operator: watches (caches) first, then /healthz, /readyz and /metrics, then leader
 * election; only the leader runs the reconcile loops.
 */
export async function startOperator(
  settings: OperatorSettings,
  connection: Connection,
  promote: Promote,
  log: Logger,
  clock: () => Date = () => new Date(),
): Promise<RunningOperator> {
  const api = new KubeApi(connection);
  const metrics = new OperatorMetrics();
  const informer = <T extends KubeObject>(type: ResourceType, labelSelector?: string) =>
    new Informer<T>(
      type,
      api,
      {
        namespace: settings.watchNamespace,
        labelSelector,
        resyncMs: settings.resyncMs,
        watchTimeoutSeconds: 60,
        stallMs: 90_000,
        onRestart: () => metrics.watchRestarts.inc({ resource: type.plural }),
      },
      log,
    );
  const caches: Caches = {
    dataIncrements: informer<DataIncrement>(dataIncrementType),
    trainingRuns: informer<TrainingRun>(trainingRunType),
    modelPromotions: informer<ModelPromotion>(modelPromotionType),
    predictionServices: informer<PredictionService>(predictionServiceType),
    retrainSchedules: informer<RetrainSchedule>(retrainScheduleType),
    driftMonitors: informer<DriftMonitor>(driftMonitorType),
    driftAcknowledgements: informer<DriftAcknowledgement>(driftAcknowledgementType),
    jobs: informer<Job>(jobType, managedSelector),
    deployments: informer<Deployment>(deploymentType, managedSelector),
    services: informer<KubeObject>(serviceType, managedSelector),
    horizontalPodAutoscalers: informer<HorizontalPodAutoscaler>(horizontalPodAutoscalerType, managedSelector),
    podDisruptionBudgets: informer<PodDisruptionBudget>(podDisruptionBudgetType, managedSelector),
  };

  let predictionServices: Controller | undefined;
  const events = new EventRecorder(api, settings.identity, log);
  const driftChecks = new DriftChecks(settings.databaseUrl);
  const ctx: ReconcileContext = {
    api,
    caches,
    events,
    settings: { ...settings, aliasPollMs: settings.aliasPollMs },
    dataLoads: new DataLoadRecords(settings.databaseUrl),
    mlflow: new MlflowRecords(settings.mlflowTrackingUri),
    promote,
    driftChecks,
    metrics,
    now: clock,
    enqueuePredictionServices: (keys) => {
      for (const key of keys) predictionServices?.enqueue(key);
    },
  };
  const controller = (
    kind: string,
    reconcile: (ctx: ReconcileContext, ...rest: Parameters<Reconcile>) => ReturnType<Reconcile>,
  ) =>
    new Controller(kind, (key, keyLog) => reconcile(ctx, key, keyLog), {
      concurrency: settings.concurrency,
      metrics,
      log,
    });
  const controllers = {
    dataIncrements: controller('DataIncrement', reconcileDataIncrement),
    trainingRuns: controller('TrainingRun', reconcileTrainingRun),
    modelPromotions: controller('ModelPromotion', reconcileModelPromotion),
    predictionServices: controller('PredictionService', reconcilePredictionService),
    retrainSchedules: controller('RetrainSchedule', reconcileRetrainSchedule),
    driftMonitors: controller('DriftMonitor', reconcileDriftMonitor),
    driftAcknowledgements: controller('DriftAcknowledgement', reconcileDriftAcknowledgement),
  };
  predictionServices = controllers.predictionServices;

  caches.dataIncrements.on((_event, increment) => {
    controllers.dataIncrements.enqueue(keyOf(increment));
    const schedule = controllerKey(increment, retrainScheduleType.kind);
    if (schedule) controllers.retrainSchedules.enqueue(schedule);
    for (const run of caches.trainingRuns.list())
      if (
        run.metadata.namespace === increment.metadata.namespace &&
        run.spec.dataVersion === increment.metadata.name
      )
        controllers.trainingRuns.enqueue(keyOf(run));
  });
  caches.trainingRuns.on((_event, run) => {
    controllers.trainingRuns.enqueue(keyOf(run));
    const schedule = controllerKey(run, retrainScheduleType.kind);
    if (schedule) controllers.retrainSchedules.enqueue(schedule);
  });
  caches.retrainSchedules.on((_event, schedule) => controllers.retrainSchedules.enqueue(keyOf(schedule)));
  caches.modelPromotions.on((_event, promotion) => {
    controllers.modelPromotions.enqueue(keyOf(promotion));
    const owner = controllerKey(promotion, trainingRunType.kind);
    if (owner) controllers.trainingRuns.enqueue(owner);
  });
  caches.predictionServices.on((_event, service) => {
    controllers.predictionServices.enqueue(keyOf(service));
    for (const monitor of caches.driftMonitors.list())
      if (
        monitor.metadata.namespace === service.metadata.namespace &&
        monitor.spec.predictionService === service.metadata.name
      )
        controllers.driftMonitors.enqueue(keyOf(monitor));
  });
  caches.driftMonitors.on((_event, monitor) => controllers.driftMonitors.enqueue(keyOf(monitor)));
  caches.driftAcknowledgements.on((_event, acknowledgement) =>
    controllers.driftAcknowledgements.enqueue(keyOf(acknowledgement)),
  );
  caches.jobs.on((_event, job) => {
    const increment = controllerKey(job, dataIncrementType.kind);
    if (increment) controllers.dataIncrements.enqueue(increment);
    const run = controllerKey(job, trainingRunType.kind);
    if (run) controllers.trainingRuns.enqueue(run);
  });
  for (const cache of [
    caches.deployments,
    caches.services,
    caches.horizontalPodAutoscalers,
    caches.podDisruptionBudgets,
  ])
    cache.on((_event, child) => {
      const owner = controllerKey(child, predictionServiceType.kind);
      if (owner) controllers.predictionServices.enqueue(owner);
    });

  const all = Object.values(caches) as Informer<KubeObject>[];
  await Promise.all(all.map((cache) => cache.start()));
  log.info('caches synced', { namespace: settings.watchNamespace ?? '(all)' });

  let shuttingDown = false;
  const http = await startHttpServer(
    settings.httpHost,
    settings.httpPort,
    {
      healthy: () => all.every((cache) => cache.healthy),
      ready: () => !shuttingDown && all.every((cache) => cache.synced),
    },
    metrics.registry,
  );

  const elector = new LeaderElector(
    api,
    {
      namespace: settings.leaseNamespace,
      name: settings.leaseName,
      identity: settings.identity,
      leaseDurationMs: settings.leaseDurationMs,
      renewDeadlineMs: Math.round(settings.leaseDurationMs * (2 / 3)),
      retryPeriodMs: Math.max(500, Math.round(settings.leaseDurationMs / 7)),
    },
    log,
  );
  let resolveStopped: (how: 'stopped' | 'lost-lease') => void = () => {};
  const stopped = new Promise<'stopped' | 'lost-lease'>((resolve) => {
    resolveStopped = resolve;
  });
  const shutDown = async (how: 'stopped' | 'lost-lease') => {
    if (shuttingDown) return;
    shuttingDown = true;
    await Promise.all(Object.values(controllers).map((c) => c.stop()));
    await events.flush();
    await elector.release();
    await driftChecks.close();
    metrics.leader.set(0);
    await Promise.all(all.map((cache) => cache.stop()));
    await http.close();
    log.info('operator stopped', { how });
    resolveStopped(how);
  };

  const election = elector
    .acquire(() => void shutDown('lost-lease'))
    .then((leading) => {
      if (!leading) return;
      metrics.leader.set(1);
      for (const c of Object.values(controllers)) c.start();
      for (const [name, cache] of Object.entries(caches) as [
        keyof typeof controllers,
        Informer<KubeObject>,
      ][])
        if (name in controllers) for (const object of cache.list()) controllers[name].enqueue(keyOf(object));
    });

  return {
    metrics,
    httpPort: http.port,
    get leading() {
      return elector.leading;
    },
    stopped,
    async stop() {
      await shutDown('stopped');
      await election;
    },
  };
}
