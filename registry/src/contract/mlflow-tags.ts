/** Run and version tags written by `prodclass train`; the operator and `prodclass reproduce` read them. */
export const trainingTags = {
  dataVersion: 'prodclass.data_version',
  datasetFingerprint: 'prodclass.dataset_fingerprint',
  weightsChecksum: 'prodclass.weights_checksum',
  modelVersion: 'prodclass.model_version',
  testF1Weighted: 'prodclass.test_f1_weighted',
  requestedBy: 'prodclass.requested_by',
  gitCommit: 'mlflow.source.git.commit',
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
  promotedAt: 'prodclass.promotion.promoted_at',
} as const;

/**
 * The run tag the operator passes to `prodclass train --tag` and searches runs by: its value is the
 * TrainingRun's `namespace/name`.
 */
export const trainingRunTag = 'prodclass.dev/trainingrun';
