/** Run and version tags written by training; the operator and `prodclass reproduce` read them. */
export const trainingTags = {
  dataVersion: 'prodclass.data_version',
  datasetFingerprint: 'prodclass.dataset_fingerprint',
  weightsChecksum: 'prodclass.weights_checksum',
  modelVersion: 'prodclass.model_version',
  requestedBy: 'prodclass.requested_by',
  gitCommit: 'mlflow.source.git.commit',
} as const;
