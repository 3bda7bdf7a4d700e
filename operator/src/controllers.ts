import type { ControllerDescription } from './manager/controller-description.js';
import { dataIncrementController } from './reconcilers/data-increment.js';
import { driftAcknowledgementController } from './reconcilers/drift-acknowledgement.js';
import { driftMonitorController } from './reconcilers/drift-monitor.js';
import { modelPromotionController } from './reconcilers/model-promotion.js';
import { predictionServiceController } from './reconcilers/prediction-service.js';
import { retrainScheduleController } from './reconcilers/retrain-schedule.js';
import { trainingRunController } from './reconcilers/training-run.js';

/** The operator's controllers; each says what it reconciles, owns and watches. */
export const controllers: readonly ControllerDescription[] = [
  dataIncrementController,
  trainingRunController,
  modelPromotionController,
  predictionServiceController,
  retrainScheduleController,
  driftMonitorController,
  driftAcknowledgementController,
];
