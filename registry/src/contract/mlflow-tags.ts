/** Run and version tags written by `prodclass train`; the operator and `prodclass reproduce` read them. */
export const trainingTags = {
  dataVersion: 'prodclass.data_version',
  datasetFingerprint: 'prodclass.dataset_fingerprint',
  weightsChecksum: 'prodclass.weights_checksum',
  modelVersion: 'prodclass.model_version',
  testF1Weighted: 'prodclass.test_f1_weighted',
  requestedBy: 'prodclass.requested_by',
  gitCommit: 'mlflow.source.git.commit',
  /** Set only on runs trained with feedback: its rows' fingerprint, their count and the time asked for. */
  feedbackFingerprint: 'prodclass.feedback_fingerprint',
  feedbackRows: 'prodclass.feedback_rows',
  feedbackSince: 'prodclass.feedback_since',
} as const;

/** Version tags that carry a promotion decision, read by the operator and the model server. */
export const promotionTags = {
  decision: 'prodclass.promotion.decision',
  reason: 'prodclass.promotion.reason',
  alias: 'prodclass.promotion.alias',
  minF1: 'prodclass.promotion.min_f1',
  challengerF1: 'prodclass.promotion.challenger_f1',
  championVersion: 'prodclass.promotion.champion_version',
  championF1: 'prodclass.promotion.champion_f1',
  minComparisonRows: 'prodclass.promotion.min_comparison_rows',
  /** Held-out rows of the challenger's the champion never trained on: the rows both were scored on. */
  comparisonRows: 'prodclass.promotion.comparison_rows',
  /** Held-out rows of the challenger's left out because the champion trained on them. */
  championTrainingRowsExcluded: 'prodclass.promotion.champion_training_rows_excluded',
  /** The challenger's weighted F1 on the comparison rows (champion_f1 is the champion's there). */
  challengerComparisonF1: 'prodclass.promotion.challenger_comparison_f1',
  challengerOnlyCorrect: 'prodclass.promotion.challenger_only_correct',
  championOnlyCorrect: 'prodclass.promotion.champion_only_correct',
  /** One-sided exact McNemar mid-p of the challenger being better on the comparison rows. */
  mcnemarMidP: 'prodclass.promotion.mcnemar_mid_p',
  promotedAt: 'prodclass.promotion.promoted_at',
} as const;

/**
 * The run tag the operator passes to `prodclass train --tag` and searches runs by: its value is the
 * TrainingRun's `namespace/name`.
 */
export const trainingRunTag = 'prodclass.dev/trainingrun';
