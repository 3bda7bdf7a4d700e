import { managedSelector } from '@prodclass/kube/labels';
import { deploymentType, jobType, type KubeObject, serviceType } from '@prodclass/kube/objects';
import type { Deployment, Job } from '@prodclass/kube/workloads';
import { type HorizontalPodAutoscaler, horizontalPodAutoscalerType } from '../children/autoscaler.js';
import { type PodDisruptionBudget, podDisruptionBudgetType } from '../children/disruption-budget.js';
import { type DriftAcknowledgement, driftAcknowledgementType } from '../resources/drift-acknowledgement.js';
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
} from '../resources/types.js';
import { cachedKind } from './caches.js';

// The operator's own kinds are cached whole; of the built-in kinds, only the objects it made.
export const dataIncrements = cachedKind<DataIncrement>(dataIncrementType);
export const trainingRuns = cachedKind<TrainingRun>(trainingRunType);
export const modelPromotions = cachedKind<ModelPromotion>(modelPromotionType);
export const predictionServices = cachedKind<PredictionService>(predictionServiceType);
export const retrainSchedules = cachedKind<RetrainSchedule>(retrainScheduleType);
export const driftMonitors = cachedKind<DriftMonitor>(driftMonitorType);
export const driftAcknowledgements = cachedKind<DriftAcknowledgement>(driftAcknowledgementType);
export const jobs = cachedKind<Job>(jobType, managedSelector);
export const deployments = cachedKind<Deployment>(deploymentType, managedSelector);
export const services = cachedKind<KubeObject>(serviceType, managedSelector);
export const horizontalPodAutoscalers = cachedKind<HorizontalPodAutoscaler>(
  horizontalPodAutoscalerType,
  managedSelector,
);
export const podDisruptionBudgets = cachedKind<PodDisruptionBudget>(podDisruptionBudgetType, managedSelector);
