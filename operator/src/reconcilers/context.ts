import type { KubeApi } from '@prodclass/kube/api';
import type { EventRecorder } from '@prodclass/kube/events';
import type { Informer } from '@prodclass/kube/informer';
import type { KubeObject } from '@prodclass/kube/objects';
import type { Deployment, Job } from '@prodclass/kube/workloads';
import type { HorizontalPodAutoscaler } from '../children/autoscaler.js';
import type { PodDisruptionBudget } from '../children/disruption-budget.js';
import type { PipelineSettings } from '../children/jobs.js';
import type { DataLoadRecords } from '../external/data-loads.js';
import type { DriftChecks } from '../external/drift-checks.js';
import type { MlflowRecords } from '../external/mlflow.js';
import type { Promote } from '../external/promotion.js';
import type { OperatorMetrics } from '../metrics.js';
import type { DriftAcknowledgement } from '../resources/drift-acknowledgement.js';
import type {
  DataIncrement,
  DriftMonitor,
  ModelPromotion,
  PredictionService,
  RetrainSchedule,
  TrainingRun,
} from '../resources/types.js';

export interface Caches {
  dataIncrements: Informer<DataIncrement>;
  trainingRuns: Informer<TrainingRun>;
  modelPromotions: Informer<ModelPromotion>;
  predictionServices: Informer<PredictionService>;
  retrainSchedules: Informer<RetrainSchedule>;
  driftMonitors: Informer<DriftMonitor>;
  driftAcknowledgements: Informer<DriftAcknowledgement>;
  jobs: Informer<Job>;
  deployments: Informer<Deployment>;
  services: Informer<KubeObject>;
  horizontalPodAutoscalers: Informer<HorizontalPodAutoscaler>;
  podDisruptionBudgets: Informer<PodDisruptionBudget>;
}

/** Everything a reconciler talks to. */
export interface ReconcileContext {
  api: KubeApi;
  caches: Caches;
  events: EventRecorder;
  settings: PipelineSettings & { aliasPollMs: number };
  dataLoads: DataLoadRecords;
  mlflow: MlflowRecords;
  promote: Promote;
  driftChecks: DriftChecks;
  metrics: OperatorMetrics;
  /** The time now (tests move the operator's clock forward instead of waiting). */
  now(): Date;
  /** Asks the PredictionService controller to look at these keys again (an alias moved). */
  enqueuePredictionServices(keys: string[]): void;
}
