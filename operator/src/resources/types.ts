import type {
  DataIncrementSpec,
  DataIncrementStatus,
  DriftMonitorSpec,
  DriftMonitorStatus,
  ModelPromotionSpec,
  ModelPromotionStatus,
  PredictionServiceSpec,
  PredictionServiceStatus,
  RetrainScheduleSpec,
  RetrainScheduleStatus,
  TrainingRunSpec,
  TrainingRunStatus,
} from '@prodclass/api';
import { apiVersion } from '@prodclass/api';
import type { DriftTestSpec, SeverityThresholds } from '@prodclass/catalog/drift/report';
import { type KubeObject, resourceType } from '@prodclass/kube/objects';

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

export const dataIncrementType = resourceType(apiVersion, 'DataIncrement', 'dataincrements');
export const trainingRunType = resourceType(apiVersion, 'TrainingRun', 'trainingruns');
export const modelPromotionType = resourceType(apiVersion, 'ModelPromotion', 'modelpromotions');
export const predictionServiceType = resourceType(apiVersion, 'PredictionService', 'predictionservices');
export const driftMonitorType = resourceType(apiVersion, 'DriftMonitor', 'driftmonitors');
export const retrainScheduleType = resourceType(apiVersion, 'RetrainSchedule', 'retrainschedules');

export type Phase = 'Pending' | 'Running' | 'Succeeded' | 'Failed';

interface Resource<Spec, Status> extends KubeObject {
  apiVersion: string;
  kind: string;
  spec: Spec;
  status?: Status;
}

export type DataIncrement = Resource<DataIncrementSpec, DataIncrementStatus>;
export type TrainingRun = Resource<TrainingRunSpec, TrainingRunStatus>;
export type ModelPromotion = Resource<ModelPromotionSpec, ModelPromotionStatus>;
export type PredictionService = Resource<PredictionServiceSpec, PredictionServiceStatus>;
export type DriftMonitor = Resource<DriftMonitorSpec, DriftMonitorStatus>;
export type RetrainSchedule = Resource<RetrainScheduleSpec, RetrainScheduleStatus>;

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
