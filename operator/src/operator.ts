import { KubeApi } from '@prodclass/kube/api';
import type { Connection } from '@prodclass/kube/connection';
import { EventRecorder } from '@prodclass/kube/events';
import { Informer } from '@prodclass/kube/informer';
import { LeaderElector } from '@prodclass/kube/leader-election';
import type { Logger } from '@prodclass/kube/log';
import type { OperatorSettings } from './config.js';
import { controllers } from './controllers.js';
import { DataLoadRecords } from './external/data-loads.js';
import { DriftChecks } from './external/drift-checks.js';
import { LiveQualityReports } from './external/live-quality.js';
import { MlflowRecords } from './external/mlflow.js';
import type { Promote } from './external/promotion.js';
import { startHttpServer } from './http-server.js';
import { Caches } from './manager/caches.js';
import { kindsOf, Manager } from './manager/manager.js';
import type { ReconcileContext } from './manager/reconcile-context.js';
import { OperatorMetrics } from './metrics.js';
import { RolloutAnalysis } from './rollout/analysis.js';

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
  const caches = new Caches(
    kindsOf(controllers),
    (kind) =>
      new Informer(
        kind.type,
        api,
        {
          namespace: settings.watchNamespace,
          labelSelector: kind.labelSelector,
          resyncMs: settings.resyncMs,
          watchTimeoutSeconds: 60,
          stallMs: 90_000,
          onRestart: () => metrics.watchRestarts.inc({ resource: kind.type.plural }),
        },
        log,
      ),
  );
  const events = new EventRecorder(api, settings.identity, log);
  const driftChecks = new DriftChecks(settings.databaseUrl);
  const liveQuality = new LiveQualityReports(settings.databaseUrl);
  const mlflow = new MlflowRecords(settings.mlflowTrackingUri);
  const rolloutAnalyzer = new RolloutAnalysis({
    databaseUrl: settings.databaseUrl,
    prometheusUrl: settings.prometheusUrl,
    isCalibrated: async (model, version) =>
      (await mlflow.offlineScoresOf(model, version))?.calibrated ?? false,
  });
  const ctx: ReconcileContext = {
    api,
    caches,
    events,
    settings: { ...settings, aliasPollMs: settings.aliasPollMs, liveQualityMs: settings.liveQualityMs },
    dataLoads: new DataLoadRecords(settings.databaseUrl),
    mlflow,
    promote,
    driftChecks,
    liveQuality,
    rolloutAnalyzer,
    metrics,
    now: clock,
  };
  // Routes the caches' events to the controllers' queues before the caches list anything.
  const manager = new Manager(controllers, ctx, { concurrency: settings.concurrency, metrics, log });

  const all = caches.all();
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
    await manager.stop();
    await events.flush();
    await elector.release();
    await driftChecks.close();
    await liveQuality.close();
    await rolloutAnalyzer.close();
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
      manager.start();
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
