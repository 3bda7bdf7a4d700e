import type { TrainingRunSpec } from '@prodclass/api';
import type { DriftTestSpec, SeverityThresholds } from '@prodclass/catalog/drift/report';

// The kinds' spec and status types are @prodclass/api's, written once with their schemas; a spec
// type is the stored spec with the API server's defaults filled in.
export type {
  DataIncrementSpec,
  DataIncrementStatus,
  DriftMonitorSpec,
  DriftMonitorStatus,
  DriftTestSummary,
  Hyperparameters,
  LiveQualityOfVersion,
  ModelPromotionSpec,
  ModelPromotionStatus,
  PredictionServiceSpec,
  PredictionServiceStatus,
  ResourceRequirements,
  RetrainScheduleSpec,
  RetrainScheduleStatus,
  ScheduledPair,
  TickOutcome,
  TrainingMetrics,
  TrainingRunSpec,
  TrainingRunStatus,
} from '@prodclass/api';
export { apiVersion, group } from '@prodclass/api';

export type {
  DataIncrement,
  DriftMonitor,
  ModelPromotion,
  PredictionService,
  RetrainSchedule,
  TrainingRun,
} from '@prodclass/api/resources';
export {
  dataIncrementType,
  driftMonitorType,
  modelPromotionType,
  predictionServiceType,
  retrainScheduleType,
  trainingRunType,
} from '@prodclass/api/resources';

export type Phase = 'Pending' | 'Running' | 'Succeeded' | 'Failed';

/** A track serves a version pinned in the spec, or whatever version an alias points at. */
export type ModelSelector = { alias: string } | { version: number };

/** What a DriftMonitor watches: a PredictionService of its namespace, or a registered model. */
export type DriftTarget = { predictionService: string } | { registeredModel: string };

/** A DriftMonitor's spec as the reconciler acts on it (validDriftMonitorSpec reads the stored spec). */
export interface DriftMonitorSettings {
  target: DriftTarget;
  modelVersion?: string;
  schedule: string;
  timeZone: string;
  currentWindowMs: number;
  referenceWindow: { source: 'Preceding'; lengthMs: number } | { source: 'TrainingData' };
  tests: DriftTestSpec[];
  thresholds: SeverityThresholds;
  minSamples: number;
  /** Fewest labels the performance test needs. */
  minLabels: number;
  onDrift: 'none' | 'retrain';
  cooldownMs: number;
  /** The spec of a TrainingRun of the template, training `registeredModel` unless the template names one. */
  trainingRunFor(registeredModel: string): TrainingRunSpec;
}
