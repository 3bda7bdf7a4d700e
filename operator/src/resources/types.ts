import type { DriftSeverity, DriftTestSpec, SeverityThresholds } from '@prodclass/catalog/drift/report';
import type { Condition } from '../kube/conditions.js';
import { type KubeObject, resourceType } from '../kube/objects.js';

export const group = 'mlops.prodclass.dev';
export const apiVersion = `${group}/v1alpha1`;

export const dataIncrementType = resourceType(apiVersion, 'DataIncrement', 'dataincrements');
export const trainingRunType = resourceType(apiVersion, 'TrainingRun', 'trainingruns');
export const modelPromotionType = resourceType(apiVersion, 'ModelPromotion', 'modelpromotions');
export const predictionServiceType = resourceType(apiVersion, 'PredictionService', 'predictionservices');
export const driftMonitorType = resourceType(apiVersion, 'DriftMonitor', 'driftmonitors');

export type Phase = 'Pending' | 'Running' | 'Succeeded' | 'Failed';

interface Resource<Spec, Status> extends KubeObject {
  apiVersion: string;
  kind: string;
  spec: Spec;
  status?: Status;
}

/** Core ResourceRequirements, quantities as strings. */
export type ResourceRequirements = {
  limits?: Record<string, string>;
  requests?: Record<string, string>;
};

export interface DataIncrementSpec {
  source: { synthetic?: { seed: number; rows: number }; files?: { path?: string; url?: string } };
  toPercent?: number;
  incrementPercent?: number;
  seed: number;
  loadName?: string;
}

export interface DataIncrementStatus {
  phase?: Phase;
  loadName?: string;
  rowsAdded?: number;
  totalRows?: number;
  percentage?: number;
  datasetFingerprint?: string;
  jobName?: string;
  startTime?: string;
  completionTime?: string;
  observedGeneration?: number;
  conditions?: Condition[];
}

export type DataIncrement = Resource<DataIncrementSpec, DataIncrementStatus>;

export interface Hyperparameters {
  maxFeatures: number;
  ngramMax: number;
  minDf: number;
  maxDf: number;
  c: number;
  maxIter: number;
  classWeight: 'none' | 'balanced';
  seed: number;
  testSize: number;
}

export interface TrainingRunSpec {
  dataVersion: string;
  hyperparameters: Hyperparameters;
  registeredModel: string;
  experiment: string;
  autoPromote: { enabled: boolean; minF1: number; minComparisonRows: number; alias: string };
  resources?: ResourceRequirements;
  backoffLimit: number;
  activeDeadlineSeconds: number;
}

export interface TrainingMetrics {
  accuracy?: number;
  f1Weighted?: number;
  f1Macro?: number;
  precisionWeighted?: number;
  recallWeighted?: number;
}

export interface TrainingRunStatus {
  phase?: Phase;
  jobName?: string;
  dataLoad?: string;
  mlflowRunId?: string;
  modelVersion?: string;
  /** metrics.f1Weighted to 3 decimals, for kubectl's F1 column. */
  f1?: string;
  metrics?: TrainingMetrics;
  promotion?: { decision?: 'promote' | 'reject'; reason?: string; modelPromotion?: string };
  startTime?: string;
  completionTime?: string;
  observedGeneration?: number;
  conditions?: Condition[];
}

export type TrainingRun = Resource<TrainingRunSpec, TrainingRunStatus>;

export interface ModelPromotionSpec {
  registeredModel: string;
  version: number;
  alias: string;
  reason?: string;
}

export interface ModelPromotionStatus {
  phase?: 'Pending' | 'Succeeded' | 'Failed';
  previousVersion?: string;
  promotedAt?: string;
  observedGeneration?: number;
  conditions?: Condition[];
}

export type ModelPromotion = Resource<ModelPromotionSpec, ModelPromotionStatus>;

/** A track serves a version pinned in the spec, or whatever version an alias points at. */
export type ModelSelector = { alias: string } | { version: number };

export interface PredictionServiceSpec {
  registeredModel: string;
  alias?: string;
  version?: number;
  replicas: number;
  resources?: ResourceRequirements;
  canary?: { alias?: string; version?: number; replicas: number };
}

export interface PredictionServiceStatus {
  servedVersion?: string;
  canaryVersion?: string;
  readyReplicas?: number;
  url?: string;
  observedGeneration?: number;
  conditions?: Condition[];
}

export type PredictionService = Resource<PredictionServiceSpec, PredictionServiceStatus>;

/** What a DriftMonitor watches: a PredictionService of its namespace, or a registered model. */
export type DriftTarget = { predictionService: string } | { registeredModel: string };

export interface DriftMonitorSpec {
  target: DriftTarget;
  modelVersion?: string;
  schedule: string;
  timeZone: string;
  currentWindowMs: number;
  referenceWindow: { source: 'Preceding'; lengthMs: number } | { source: 'TrainingData' };
  tests: DriftTestSpec[];
  thresholds: SeverityThresholds;
  minSamples: number;
  onDrift: 'none' | 'retrain';
  cooldownMs: number;
  /** The spec of a TrainingRun of the template, training `registeredModel` unless the template names one. */
  trainingRunFor(registeredModel: string): TrainingRunSpec;
}

export interface DriftTestSummary {
  feature: string;
  test: string;
  /** Absent when the statistic is not a finite number. */
  statistic?: number;
  pValue?: number;
  severity: DriftSeverity;
}

export interface DriftMonitorStatus {
  modelName?: string;
  referenceVersion?: string;
  severity?: DriftSeverity;
  lastCheckTime?: string;
  nextCheckTime?: string;
  lastReport?: {
    id: string;
    outcome: 'Checked' | 'InsufficientData';
    currentSamples: number;
    referenceSamples: number;
    tests: DriftTestSummary[];
  };
  lastRetrainTime?: string;
  lastTrainingRun?: string;
  observedGeneration?: number;
  conditions?: Condition[];
}

/** The spec as stored (durations as text); validDriftMonitorSpec reads it. */
export type DriftMonitor = Resource<Record<string, unknown>, DriftMonitorStatus>;

export const retrainScheduleType = resourceType(apiVersion, 'RetrainSchedule', 'retrainschedules');

export interface RetrainScheduleSpec {
  schedule: string;
  timeZone: string;
  suspend: boolean;
  concurrencyPolicy: 'Forbid' | 'Replace';
  startingDeadlineSeconds?: number;
  successfulHistoryLimit: number;
  failedHistoryLimit: number;
  dataIncrement: Pick<DataIncrementSpec, 'source' | 'seed'> & { incrementPercent: number };
  trainingRun: Omit<TrainingRunSpec, 'dataVersion'>;
}

/** The DataIncrement and TrainingRun one tick created (both named after the tick). */
export interface ScheduledPair {
  scheduledTime: string;
  dataIncrement: string;
  trainingRun: string;
}

export type TickOutcome = 'Started' | 'NothingToLoad' | 'Skipped' | 'MissedDeadline';

export interface RetrainScheduleStatus {
  lastScheduleTime?: string;
  lastSuccessfulTime?: string;
  nextScheduleTime?: string;
  lastTick?: { time: string; outcome: TickOutcome; message: string };
  active?: ScheduledPair[];
  recent?: (ScheduledPair & { result: 'Succeeded' | 'Failed'; modelVersion?: string; promotion?: string })[];
  observedGeneration?: number;
  conditions?: Condition[];
}

export type RetrainSchedule = Resource<RetrainScheduleSpec, RetrainScheduleStatus>;
