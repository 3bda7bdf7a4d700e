import { type KubeObject, resourceType } from '@prodclass/kube/objects';
import { apiVersion } from './crd.js';
import type { DataIncrementSpec, DataIncrementStatus } from './kinds/data-increment.js';
import type { DriftAcknowledgementSpec, DriftAcknowledgementStatus } from './kinds/drift-acknowledgement.js';
import type { DriftMonitorSpec, DriftMonitorStatus } from './kinds/drift-monitor.js';
import type { ModelPromotionSpec, ModelPromotionStatus } from './kinds/model-promotion.js';
import type { PredictionServiceSpec, PredictionServiceStatus } from './kinds/prediction-service.js';
import type { RetrainScheduleSpec, RetrainScheduleStatus } from './kinds/retrain-schedule.js';
import type { TrainingRunSpec, TrainingRunStatus } from './kinds/training-run.js';

// The kinds as objects of the API server, for every program that reads or writes them (operator,
// console, local runner): a spec type is the stored spec with the API server's defaults filled in.
export { apiVersion, group } from './crd.js';

export const dataIncrementType = resourceType(apiVersion, 'DataIncrement', 'dataincrements');
export const trainingRunType = resourceType(apiVersion, 'TrainingRun', 'trainingruns');
export const modelPromotionType = resourceType(apiVersion, 'ModelPromotion', 'modelpromotions');
export const predictionServiceType = resourceType(apiVersion, 'PredictionService', 'predictionservices');
export const driftMonitorType = resourceType(apiVersion, 'DriftMonitor', 'driftmonitors');
export const retrainScheduleType = resourceType(apiVersion, 'RetrainSchedule', 'retrainschedules');
export const driftAcknowledgementType = resourceType(
  apiVersion,
  'DriftAcknowledgement',
  'driftacknowledgements',
);

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
export type DriftAcknowledgement = Resource<DriftAcknowledgementSpec, DriftAcknowledgementStatus>;
