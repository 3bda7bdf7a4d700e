/** The summary scores `prodclass train` logs for each split, as `<split>_<score>`: test_f1_weighted. */
export const summaryScores = [
  'accuracy',
  'f1_weighted',
  'f1_macro',
  'precision_weighted',
  'recall_weighted',
  'precision_macro',
  'recall_macro',
] as const;

export type SummaryScore = (typeof summaryScores)[number];
export type MetricSplit = 'train' | 'test';
export type ClassScore = 'f1' | 'precision' | 'recall';

export function metricKey(split: MetricSplit, score: SummaryScore): `${MetricSplit}_${SummaryScore}` {
  return `${split}_${score}`;
}

/** The key of one class's score: test_f1_class_2583. */
export function classMetricKey(split: MetricSplit, score: ClassScore, classCode: number): string {
  return `${split}_${score}_class_${classCode}`;
}

/** The class code a per-class metric key is about, when `key` is that split's and score's. */
export function classCodeOfMetric(key: string, split: MetricSplit, score: ClassScore): number | undefined {
  const prefix = `${split}_${score}_class_`;
  const code = key.startsWith(prefix) ? key.slice(prefix.length) : '';
  return /^\d+$/.test(code) ? Number(code) : undefined;
}

/** The loss at each L-BFGS iteration, logged with the iteration as its step. */
export const trainingLossMetric = 'training_loss';

/**
 * What `prodclass train` logs of the calibration fitted on the held-out split (docs/training.md):
 * the temperature, the expected calibration error (15 bins) and the log loss before and after
 * (the ECE after is cross-fitted), and the seconds the fit took.
 */
export const calibrationMetrics = {
  temperature: 'calibration_temperature',
  eceUncalibrated: 'test_ece_uncalibrated',
  eceCalibrated: 'test_ece_calibrated',
  logLossUncalibrated: 'test_log_loss_uncalibrated',
  logLossCalibrated: 'test_log_loss_calibrated',
  seconds: 'calibration_seconds',
} as const;
