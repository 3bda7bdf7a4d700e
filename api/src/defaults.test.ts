import { expect, test } from 'vitest';
import { kinds } from './crds.js';

/** Every `default` in a kind's spec schema, by its path (`TrainingRun.spec.hyperparameters.maxFeatures`). */
function defaultsOf(schema: Record<string, unknown>, at: string, found: Record<string, unknown>): void {
  if (schema.default !== undefined && !(typeof schema.default === 'object' && schema.properties))
    found[at] = schema.default;
  for (const [name, property] of Object.entries((schema.properties ?? {}) as Record<string, never>))
    defaultsOf(property, `${at}.${name}`, found);
}

test('the schemas give these defaults, and the API server fills them in', () => {
  const found: Record<string, unknown> = {};
  for (const kind of kinds) defaultsOf(kind.spec as never, `${kind.kind}.spec`, found);
  expect(found).toMatchInlineSnapshot(`
    {
      "DataIncrement.spec.seed": 42,
      "DataIncrement.spec.source.synthetic.rows": 84916,
      "DataIncrement.spec.source.synthetic.seed": 42,
      "DriftMonitor.spec.cooldown": "24h",
      "DriftMonitor.spec.currentWindow": "7d",
      "DriftMonitor.spec.minLabels": 200,
      "DriftMonitor.spec.minSamples": 500,
      "DriftMonitor.spec.onDrift": "none",
      "DriftMonitor.spec.referenceWindow.length": "30d",
      "DriftMonitor.spec.referenceWindow.source": "Preceding",
      "DriftMonitor.spec.schedule": "0 6 * * *",
      "DriftMonitor.spec.tests": [
        {
          "feature": "text_length",
          "test": "psi",
        },
        {
          "feature": "text_length",
          "test": "ks",
        },
        {
          "feature": "text_length",
          "test": "jensen_shannon",
        },
        {
          "feature": "predicted_class",
          "test": "chi2",
        },
        {
          "feature": "predicted_class",
          "test": "psi",
        },
        {
          "feature": "confidence",
          "test": "psi",
        },
        {
          "feature": "confidence",
          "test": "ks",
        },
        {
          "feature": "tokens",
          "test": "oov_share",
        },
      ],
      "DriftMonitor.spec.thresholds.alert": 0.2,
      "DriftMonitor.spec.thresholds.critical": 0.3,
      "DriftMonitor.spec.thresholds.warning": 0.1,
      "DriftMonitor.spec.timeZone": "UTC",
      "DriftMonitor.spec.trainingRun.activeDeadlineSeconds": 3600,
      "DriftMonitor.spec.trainingRun.autoPromote.alias": "production",
      "DriftMonitor.spec.trainingRun.autoPromote.enabled": true,
      "DriftMonitor.spec.trainingRun.autoPromote.maxClassDrop": 0.1,
      "DriftMonitor.spec.trainingRun.autoPromote.minComparisonRows": 200,
      "DriftMonitor.spec.trainingRun.autoPromote.minF1": 0.7,
      "DriftMonitor.spec.trainingRun.backoffLimit": 1,
      "DriftMonitor.spec.trainingRun.dataVersion": "latest",
      "DriftMonitor.spec.trainingRun.experiment": "rakuten_model_training",
      "DriftMonitor.spec.trainingRun.hyperparameters.c": 1,
      "DriftMonitor.spec.trainingRun.hyperparameters.classWeight": "none",
      "DriftMonitor.spec.trainingRun.hyperparameters.maxDf": 0.95,
      "DriftMonitor.spec.trainingRun.hyperparameters.maxFeatures": 5000,
      "DriftMonitor.spec.trainingRun.hyperparameters.maxIter": 1000,
      "DriftMonitor.spec.trainingRun.hyperparameters.minDf": 2,
      "DriftMonitor.spec.trainingRun.hyperparameters.ngramMax": 2,
      "DriftMonitor.spec.trainingRun.hyperparameters.seed": 42,
      "DriftMonitor.spec.trainingRun.hyperparameters.testSize": 0.2,
      "ModelPromotion.spec.alias": "production",
      "ModelPromotion.spec.approval": "NotRequired",
      "ModelPromotion.spec.impactPreview": false,
      "ModelPromotion.spec.registeredModel": "rakuten_classifier",
      "PredictionService.spec.autoscaling.minReplicas": 1,
      "PredictionService.spec.canary.replicas": 1,
      "PredictionService.spec.liveQuality.window": "24h",
      "PredictionService.spec.registeredModel": "rakuten_classifier",
      "PredictionService.spec.replicas": 1,
      "PredictionService.spec.traffic.canaryWeight": 0,
      "PredictionService.spec.traffic.gateway.candidateReplicas": 1,
      "PredictionService.spec.traffic.shadowPercent": 0,
      "RetrainSchedule.spec.concurrencyPolicy": "Forbid",
      "RetrainSchedule.spec.dataIncrement.seed": 42,
      "RetrainSchedule.spec.dataIncrement.source.synthetic.rows": 84916,
      "RetrainSchedule.spec.dataIncrement.source.synthetic.seed": 42,
      "RetrainSchedule.spec.failedHistoryLimit": 1,
      "RetrainSchedule.spec.successfulHistoryLimit": 3,
      "RetrainSchedule.spec.suspend": false,
      "RetrainSchedule.spec.timeZone": "UTC",
      "RetrainSchedule.spec.trainingRun.activeDeadlineSeconds": 3600,
      "RetrainSchedule.spec.trainingRun.autoPromote.alias": "production",
      "RetrainSchedule.spec.trainingRun.autoPromote.enabled": true,
      "RetrainSchedule.spec.trainingRun.autoPromote.maxClassDrop": 0.1,
      "RetrainSchedule.spec.trainingRun.autoPromote.minComparisonRows": 200,
      "RetrainSchedule.spec.trainingRun.autoPromote.minF1": 0.7,
      "RetrainSchedule.spec.trainingRun.backoffLimit": 1,
      "RetrainSchedule.spec.trainingRun.experiment": "rakuten_model_training",
      "RetrainSchedule.spec.trainingRun.hyperparameters.c": 1,
      "RetrainSchedule.spec.trainingRun.hyperparameters.classWeight": "none",
      "RetrainSchedule.spec.trainingRun.hyperparameters.maxDf": 0.95,
      "RetrainSchedule.spec.trainingRun.hyperparameters.maxFeatures": 5000,
      "RetrainSchedule.spec.trainingRun.hyperparameters.maxIter": 1000,
      "RetrainSchedule.spec.trainingRun.hyperparameters.minDf": 2,
      "RetrainSchedule.spec.trainingRun.hyperparameters.ngramMax": 2,
      "RetrainSchedule.spec.trainingRun.hyperparameters.seed": 42,
      "RetrainSchedule.spec.trainingRun.hyperparameters.testSize": 0.2,
      "RetrainSchedule.spec.trainingRun.registeredModel": "rakuten_classifier",
      "TrainingRun.spec.activeDeadlineSeconds": 3600,
      "TrainingRun.spec.autoPromote.alias": "production",
      "TrainingRun.spec.autoPromote.enabled": true,
      "TrainingRun.spec.autoPromote.maxClassDrop": 0.1,
      "TrainingRun.spec.autoPromote.minComparisonRows": 200,
      "TrainingRun.spec.autoPromote.minF1": 0.7,
      "TrainingRun.spec.backoffLimit": 1,
      "TrainingRun.spec.dataVersion": "latest",
      "TrainingRun.spec.experiment": "rakuten_model_training",
      "TrainingRun.spec.hyperparameters.c": 1,
      "TrainingRun.spec.hyperparameters.classWeight": "none",
      "TrainingRun.spec.hyperparameters.maxDf": 0.95,
      "TrainingRun.spec.hyperparameters.maxFeatures": 5000,
      "TrainingRun.spec.hyperparameters.maxIter": 1000,
      "TrainingRun.spec.hyperparameters.minDf": 2,
      "TrainingRun.spec.hyperparameters.ngramMax": 2,
      "TrainingRun.spec.hyperparameters.seed": 42,
      "TrainingRun.spec.hyperparameters.testSize": 0.2,
      "TrainingRun.spec.registeredModel": "rakuten_classifier",
    }
  `);
});
