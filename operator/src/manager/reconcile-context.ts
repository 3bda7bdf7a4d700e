import type { KubeApi } from '@prodclass/kube/api';
import type { EventRecorder } from '@prodclass/kube/events';
import type { PipelineSettings } from '../children/jobs.js';
import type { DataLoadRecords } from '../external/data-loads.js';
import type { DriftChecks } from '../external/drift-checks.js';
import type { LiveQualityReports } from '../external/live-quality.js';
import type { MlflowRecords } from '../external/mlflow.js';
import type { Promote } from '../external/promotion.js';
import type { OperatorMetrics } from '../metrics.js';
import type { RolloutAnalyzer } from '../rollout/analysis.js';
import type { Caches } from './caches.js';

/** Everything a reconciler talks to. */
export interface ReconcileContext {
  api: KubeApi;
  caches: Caches;
  events: EventRecorder;
  settings: PipelineSettings & { aliasPollMs: number; liveQualityMs: number };
  dataLoads: DataLoadRecords;
  mlflow: MlflowRecords;
  promote: Promote;
  driftChecks: DriftChecks;
  liveQuality: LiveQualityReports;
  /** Judges a Progressive rollout's step (docs/operator.md#rollout-analysis). */
  rolloutAnalyzer: RolloutAnalyzer;
  metrics: OperatorMetrics;
  /** The time now (tests move the operator's clock forward instead of waiting). */
  now(): Date;
}
