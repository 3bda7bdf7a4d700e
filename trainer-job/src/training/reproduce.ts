import { metricKey } from '@prodclass/registry/contract/metric-keys';
import { trainingTags } from '@prodclass/registry/contract/mlflow-tags';
import { recordedSplit, type SplitSpec } from '@prodclass/registry/contract/split';
import type { MlflowClient } from '@prodclass/registry/mlflow/client';
import { modelDirectory } from '@prodclass/registry/model-directory';
import { decodeModelBundle } from '@prodclass/textmodel/bundle/model-bundle';
import { weightsChecksum } from '@prodclass/textmodel/bundle/weights-checksum';
import { classificationMetrics } from '@prodclass/textmodel/metrics/classification-metrics';
import { TextClassifier } from '@prodclass/textmodel/model/text-classifier';
import type { LabelledProduct } from '@prodclass/textmodel/text/product-text';
import type pg from 'pg';
import {
  feedbackFingerprint,
  feedbackSetArtifact,
  labelledFeedback,
  parseFeedbackSet,
} from './feedback-set.js';
import { splitDataset } from './split-dataset.js';
import { loadTrainingDataset } from './training-dataset.js';

interface Comparison<T> {
  recorded: T | undefined;
  reproduced: T;
  identical: boolean;
}

export interface ReproductionReport {
  run_id: string;
  data_version: string;
  split: SplitSpec;
  identical: boolean;
  dataset_fingerprint: Comparison<string>;
  /** Runs trained on feedback: the stored feedback set's fingerprint against the run's tag. */
  feedback_fingerprint?: Comparison<string>;
  weights_checksum: Comparison<string>;
  metrics: Record<string, Comparison<number>>;
}

const comparedMetrics = [
  'accuracy',
  'f1_weighted',
  'f1_macro',
  'precision_weighted',
  'recall_weighted',
] as const;

function compare<T>(recorded: T | undefined, reproduced: T): Comparison<T> {
  return { recorded, reproduced, identical: recorded === reproduced };
}

/**
 * `prodclass reproduce`: rebuilds a run's dataset from PostgreSQL at its recorded data version,
 * checks the dataset fingerprint, splits it as the run recorded (runs from before the product-id
 * split keep their positional split), adds the feedback rows the run stored as an artifact (labels
 * replaced since do not change them), refits with the settings stored in the run's model bundle and
 * reports whether the weights checksum and the held-out metrics are identical, bit for bit.
 */
export async function reproduceRun(
  { db, mlflow }: { db: pg.Client; mlflow: MlflowClient },
  runId: string,
): Promise<ReproductionReport> {
  const run = await mlflow.getRun(runId);
  const dataVersion = run.tags[trainingTags.dataVersion];
  if (!dataVersion)
    throw new Error(`run ${runId} was not logged by prodclass train (no ${trainingTags.dataVersion} tag)`);
  const bytes = await mlflow.downloadArtifact(
    `${run.artifactUri}/${modelDirectory.path}/${modelDirectory.bundle}`,
  );
  const { settings } = decodeModelBundle(bytes, `the model of run ${runId}`).classifier.state;
  const splitSpec = recordedSplit(run.params, settings.seed, `run ${runId}`);

  const dataset = await loadTrainingDataset(db, dataVersion);
  const fingerprint = compare(run.tags[trainingTags.datasetFingerprint], dataset.fingerprint);
  const split = splitDataset(dataset, splitSpec);
  const recordedFeedback = run.tags[trainingTags.feedbackFingerprint];
  let feedback: { fingerprint: Comparison<string>; rows: LabelledProduct[] } | undefined;
  if (recordedFeedback !== undefined) {
    const lines = (await mlflow.downloadArtifact(`${run.artifactUri}/${feedbackSetArtifact}`)).toString(
      'utf8',
    );
    feedback = {
      fingerprint: compare<string>(recordedFeedback, feedbackFingerprint(lines)),
      rows: labelledFeedback(parseFeedbackSet(lines, `the feedback set of run ${runId}`)),
    };
  }
  const { classifier } = await TextClassifier.fit(
    feedback ? [...split.train, ...feedback.rows] : split.train,
    settings,
  );
  const test = classificationMetrics(
    split.test.map((product) => product.prdtypecode),
    classifier.predict(split.test),
  );
  const metrics = Object.fromEntries(
    comparedMetrics.map((key) => [key, compare(run.metrics[metricKey('test', key)], test[key])]),
  );
  const checksum = compare(
    run.tags[trainingTags.weightsChecksum],
    weightsChecksum(classifier.state.logisticRegression),
  );
  return {
    run_id: runId,
    data_version: dataVersion,
    split: splitSpec,
    identical:
      fingerprint.identical &&
      (feedback?.fingerprint.identical ?? true) &&
      checksum.identical &&
      Object.values(metrics).every((m) => m.identical),
    dataset_fingerprint: fingerprint,
    ...(feedback ? { feedback_fingerprint: feedback.fingerprint } : {}),
    weights_checksum: checksum,
    metrics,
  };
}
