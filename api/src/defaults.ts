/**
 * Every default of the custom resources, written once. The schemas in kinds/ put them in the CRDs
 * (the API server fills them in), and the CLI contract in @prodclass/registry reads the shared ones.
 * The drift tests and severity thresholds are the catalog's (`@prodclass/catalog/drift/report`); the
 * text model's hyperparameters are its estimators' own (`@prodclass/textmodel/estimator-defaults`).
 */

import {
  defaultLogisticRegressionSettings,
  defaultTextSettings,
  defaultTfidfSettings,
} from '@prodclass/textmodel/estimator-defaults';

export const defaultRegisteredModel = 'rakuten_classifier';
export const defaultExperiment = 'rakuten_model_training';
/** The registry alias promotions move and services follow. */
export const defaultAlias = 'production';

/** The seed of a catalog's permutation, of the generated catalog and of training. */
export const defaultSeed = 42;
/** The generated catalog's size: the real data set's. */
export const defaultSyntheticRows = 84916;

/** A TrainingRun's hyperparameters: the text model's defaults, the seed and the held-out share. */
export const hyperparameterDefaults = {
  maxFeatures: defaultTfidfSettings.maxFeatures,
  ngramMax: defaultTfidfSettings.ngramRange[1],
  minDf: defaultTfidfSettings.minDf,
  maxDf: defaultTfidfSettings.maxDf,
  c: defaultLogisticRegressionSettings.C,
  maxIter: defaultLogisticRegressionSettings.maxIter,
  classWeight: defaultLogisticRegressionSettings.classWeight,
  seed: defaultSeed,
  testSize: 0.2,
} as const;

/** The text model's defaults that `prodclass train` and `model fit` take and a TrainingRun does not. */
export const cliOnlyHyperparameterDefaults = {
  analyzer: defaultTfidfSettings.analyzer,
  sublinearTf: defaultTfidfSettings.sublinearTf,
  designationRepeats: defaultTextSettings.designationRepeats,
  tol: defaultLogisticRegressionSettings.tol,
} as const;

export const autoPromoteDefaults = {
  enabled: true,
  minF1: 0.7,
  /** Fewest held-out rows the champion never trained on that a comparison with it needs. */
  minComparisonRows: 200,
  /** Largest drop of any class's F1 or recall against the champion on the shared rows. */
  maxClassDrop: 0.1,
  alias: defaultAlias,
} as const;

/** The key of the product-id hash that puts each product on the train or the test side. */
export const defaultSplitKey = 'prodclass';

export const trainingJobDefaults = { backoffLimit: 1, activeDeadlineSeconds: 3600 } as const;

/** A TrainingRun without dataVersion trains on the newest completed load. */
export const latestDataVersion = 'latest';

export const modelPromotionDefaults = {
  /** Score the catalog with champion and candidate before the alias moves. */
  impactPreview: false,
  /** Direct moves the alias at once; Progressive goes through shadow and canary steps first. */
  strategy: 'Direct',
} as const;

/** The steps and checks of a `strategy: Progressive` ModelPromotion (docs/operator.md#progressive-rollouts). */
export const progressiveRolloutDefaults = {
  shadowPercent: 100,
  shadowDuration: '10m',
  shadowMinRequests: 1000,
  canaryWeights: [10, 50],
  canaryInterval: '10m',
  canaryMinRequests: 500,
  minAgreement: 0.8,
  maxErrorRate: 0.01,
  maxLatencyP99: '500ms',
  maxAccuracyDrop: 0.02,
  candidateDelay: '0s',
} as const;

export const predictionServiceDefaults = {
  replicas: 1,
  canaryReplicas: 1,
  autoscalingMinReplicas: 1,
  /** How far back status.liveQuality looks, ending now. */
  liveQualityWindow: '24h',
} as const;

export const driftMonitorDefaults = {
  schedule: '0 6 * * *',
  timeZone: 'UTC',
  currentWindow: '7d',
  referenceSource: 'Preceding',
  referenceLength: '30d',
  minSamples: 500,
  /** Fewest labeled predictions of the served version the performance test needs. */
  minLabels: 200,
  onDrift: 'none',
  cooldown: '24h',
} as const;

export const retrainScheduleDefaults = {
  timeZone: 'UTC',
  suspend: false,
  concurrencyPolicy: 'Forbid',
  successfulHistoryLimit: 3,
  failedHistoryLimit: 1,
} as const;

/** A ModelPromotion moves the alias without waiting for a person unless it says otherwise. */
export const defaultPromotionApproval = 'NotRequired';
