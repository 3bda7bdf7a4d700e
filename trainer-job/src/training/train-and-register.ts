import type { DatasetRow } from '@prodclass/catalog/fingerprint';
import type { Progress } from '@prodclass/catalog/progress';
import type { CatalogDataset } from '@prodclass/catalog/snapshot';
import {
  calibrationMetrics,
  classMetricKey,
  type MetricSplit,
  metricKey,
  summaryScores,
  trainingLossMetric,
} from '@prodclass/registry/contract/metric-keys';
import { trainingTags } from '@prodclass/registry/contract/mlflow-tags';
import { type SplitSpec, splitMethods, splitSpecParams } from '@prodclass/registry/contract/split';
import type { MlflowClient, MlflowMetric, MlflowRun } from '@prodclass/registry/mlflow/client';
import { mlmodelYaml, modelDirectory } from '@prodclass/registry/model-directory';
import type { ClassGuardrails } from '@prodclass/registry/promotion/class-guardrails';
import { promoteVersion, recordDecision } from '@prodclass/registry/promotion/promote';
import { decidePromotion, type PromotionScores } from '@prodclass/registry/promotion/rule';
import { bundleFormatVersion, encodeModelBundle } from '@prodclass/textmodel/bundle/model-bundle';
import { weightsChecksum } from '@prodclass/textmodel/bundle/weights-checksum';
import { calibrateHeldOut } from '@prodclass/textmodel/calibration/calibrate-held-out';
import { classByCode } from '@prodclass/textmodel/classes';
import {
  type ClassificationMetrics,
  classificationMetrics,
  classificationReport,
} from '@prodclass/textmodel/metrics/classification-metrics';
import { learnedTerms } from '@prodclass/textmodel/model/learned-terms';
import { mostProbableClasses } from '@prodclass/textmodel/model/logistic-regression';
import { TextClassifier, type TextClassifierSettings } from '@prodclass/textmodel/model/text-classifier';
import type { LabelledProduct } from '@prodclass/textmodel/text/product-text';
import type pg from 'pg';
import { renderClassDistributionPng } from '../charts/class-distribution-png.js';
import { renderConfusionMatrixPng } from '../charts/confusion-matrix-png.js';
import { renderLearnedTermsPng } from '../charts/learned-terms-png.js';
import { compareWithChampion } from './champion-comparison.js';
import {
  type FeedbackRequest,
  feedbackFingerprint,
  feedbackSetArtifact,
  feedbackSetLines,
  labelledFeedback,
  readFeedbackRows,
  withoutHeldOutProducts,
} from './feedback-set.js';
import { trainingParams } from './run-params.js';
import { splitDataset } from './split-dataset.js';
import { loadTrainingDataset } from './training-dataset.js';

export interface PromotionPolicy {
  minF1: number;
  minComparisonRows: number;
  guardrails: ClassGuardrails;
  alias: string;
  /** Move the alias when the rule says promote; otherwise only record the verdict (the operator then does it). */
  apply: boolean;
}

export interface TrainingRequest {
  /** A completed load's name; the latest completed load when absent. */
  dataVersion?: string;
  settings: TextClassifierSettings;
  testSize: number;
  /** Key of the product-id hash that holds products out. */
  splitKey: string;
  /** Labeled served predictions to train on besides the catalog's training rows. */
  feedback?: FeedbackRequest;
  experiment: string;
  registeredModel: string;
  runName?: string;
  tags: Record<string, string>;
  promotion?: PromotionPolicy;
  requestedBy: string;
  gitCommit?: string;
}

export interface TrainingServices {
  db: pg.Client;
  mlflow: MlflowClient;
  progress: Progress;
}

type MetricSummary = Pick<
  ClassificationMetrics,
  | 'accuracy'
  | 'f1_weighted'
  | 'f1_macro'
  | 'precision_weighted'
  | 'recall_weighted'
  | 'precision_macro'
  | 'recall_macro'
>;

export interface TrainingSummary {
  run_id: string;
  experiment_id: string;
  registered_model: string;
  model_version: number;
  data_version: string;
  dataset_fingerprint: string;
  rows: { train: number; test: number };
  /** Present when the run was asked to train on feedback; `rows` were added to the training rows. */
  feedback?: { since: string; rows: number; held_out: number; fingerprint: string };
  iterations: number;
  converged: boolean;
  weights_checksum: string;
  metrics: { test: MetricSummary; train: MetricSummary };
  /** The temperature the bundle serves with, and the held-out calibration error before and after. */
  calibration: { temperature: number; ece_uncalibrated: number; ece_calibrated: number };
  promotion?: {
    decision: 'promote' | 'reject';
    reason: string;
    applied: boolean;
    alias: string;
    challenger_f1: number;
    champion_version?: number;
    /** The champion's weighted F1 on the comparison rows. */
    champion_f1?: number;
    /** The rows both were scored on (held out by the challenger, never trained on by the champion). */
    comparison?: {
      rows: number;
      champion_training_rows_excluded: number;
      challenger_f1: number;
      champion_f1: number;
      challenger_only_correct: number;
      champion_only_correct: number;
      mcnemar_mid_p: number;
    };
    previous_version?: number;
  };
}

function summarise(metrics: ClassificationMetrics): MetricSummary {
  return Object.fromEntries(summaryScores.map((score) => [score, metrics[score]])) as MetricSummary;
}

function metricsToLog(split: MetricSplit, metrics: ClassificationMetrics): MlflowMetric[] {
  return [
    ...summaryScores.map((score) => ({ key: metricKey(split, score), value: metrics[score] })),
    ...Object.entries(metrics.per_class).flatMap(([code, scores]) => [
      { key: classMetricKey(split, 'f1', Number(code)), value: scores.f1 },
      { key: classMetricKey(split, 'precision', Number(code)), value: scores.precision },
      { key: classMetricKey(split, 'recall', Number(code)), value: scores.recall },
    ]),
  ];
}

const labelsOf = (products: readonly LabelledProduct[]) => products.map((product) => product.prdtypecode);

async function uploadArtifacts(
  mlflow: MlflowClient,
  run: MlflowRun,
  files: Record<string, { content: Buffer | string; type: string }>,
): Promise<void> {
  for (const [path, { content, type }] of Object.entries(files)) {
    await mlflow.uploadArtifact(
      run,
      path,
      typeof content === 'string' ? Buffer.from(content) : content,
      type,
    );
  }
}

/** How many terms each way the learned_terms artifacts list per class. */
const learnedTermsPerClass = 10;

/**
 * `prodclass train`: the catalog snapshot of a load, split by product id before any balancing,
 * fitted, evaluated on the held-out part, logged to MLflow with its artifacts, registered as a
 * new model version, and — when asked — judged against the champion on the held-out products the
 * champion never trained on. On failure the run is marked FAILED and no version is left half-registered.
 */
export async function trainAndRegister(
  { db, mlflow, progress }: TrainingServices,
  request: TrainingRequest,
): Promise<TrainingSummary> {
  const dataset = await loadTrainingDataset(db, request.dataVersion);
  const { load, fingerprint } = dataset;
  const splitSpec: SplitSpec = {
    method: splitMethods.productIdHash,
    testSize: request.testSize,
    key: request.splitKey,
  };
  const split = splitDataset(dataset, splitSpec);
  progress('dataset-read', {
    data_version: load.name,
    rows: dataset.rows.length,
    train: split.train.length,
    test: split.test.length,
  });
  const feedback = request.feedback && (await readFeedback(db, request.feedback, dataset, split, splitSpec));
  if (feedback) progress('feedback-read', feedback.summary);
  const trainingRows: LabelledProduct[] = feedback
    ? [...split.train, ...labelledFeedback(feedback.rows)]
    : split.train;

  const experimentId = await mlflow.experimentId(request.experiment);
  const run = await mlflow.createRun(experimentId, request.runName ?? `train_${load.name}`, {
    ...request.tags,
    [trainingTags.dataVersion]: load.name,
    [trainingTags.datasetFingerprint]: fingerprint,
    [trainingTags.requestedBy]: request.requestedBy,
    ...(request.gitCommit ? { [trainingTags.gitCommit]: request.gitCommit } : {}),
    ...(feedback
      ? {
          [trainingTags.feedbackFingerprint]: feedback.summary.fingerprint,
          [trainingTags.feedbackRows]: String(feedback.summary.rows),
          [trainingTags.feedbackSince]: feedback.summary.since,
        }
      : {}),
  });
  progress('mlflow-run-created', { run_id: run.runId, experiment: request.experiment });
  /** A version created but not yet READY and linked from its run: deleted if training fails now. */
  let incompleteVersion: string | undefined;
  try {
    await mlflow.logBatch(run.runId, {
      params: [
        ...trainingParams(request.settings),
        ...Object.entries(splitSpecParams(splitSpec)).map(([key, value]) => ({ key, value })),
        { key: 'data_version', value: load.name },
        { key: 'data_percentage', value: String(load.cumulative_percentage) },
        { key: 'rows_train', value: String(split.train.length) },
        { key: 'rows_test', value: String(split.test.length) },
        ...(feedback
          ? [
              { key: 'feedback_sources', value: feedback.sources },
              { key: 'feedback_rows_held_out', value: String(feedback.summary.held_out) },
            ]
          : []),
      ],
    });
    await mlflow.logInputs(run.runId, [
      {
        name: `rakuten_catalog@${load.name}`,
        digest: fingerprint.slice(0, 16),
        sourceType: 'postgresql',
        source: JSON.stringify({
          table: 'products',
          as_of_load: load.name,
          dataset_fingerprint: fingerprint,
        }),
        profile: JSON.stringify({ num_rows: dataset.rows.length, percentage: load.cumulative_percentage }),
        context: 'training',
      },
    ]);

    const losses: MlflowMetric[] = [];
    const { classifier, report } = await TextClassifier.fit(trainingRows, request.settings, {
      onIteration: ({ iteration, loss }) => {
        losses.push({ key: trainingLossMetric, value: loss, step: iteration });
        if (iteration % 10 === 0) progress('iteration', { iteration, loss });
      },
    });
    progress('fitted', { iterations: report.iterations, converged: report.converged, loss: report.loss });
    // The held-out probabilities serve both the test metrics and the calibration (one transform).
    const testProbabilities = classifier.predictProba(split.test);
    const test = classificationMetrics(
      labelsOf(split.test),
      mostProbableClasses(testProbabilities, classifier.classes),
    );
    const train = classificationMetrics(labelsOf(trainingRows), classifier.predict(trainingRows));
    const checksum = weightsChecksum(classifier.state.logisticRegression);
    // Calibrated on the held-out split: temperature scaling never changes a predicted class, so
    // the test metrics above and the promotion comparison below are the same with or without it.
    const calibrationStarted = performance.now();
    const heldOut = calibrateHeldOut(testProbabilities, classifier.classes, labelsOf(split.test));
    const calibrationSeconds = (performance.now() - calibrationStarted) / 1000;
    progress('calibrated', {
      temperature: heldOut.calibration.temperature,
      ece_uncalibrated: heldOut.eceBefore,
      ece_calibrated: heldOut.eceAfter,
    });
    const bundle = encodeModelBundle(classifier.withCalibration(heldOut.calibration), {
      rows: report.rows,
      iterations: report.iterations,
      converged: report.converged,
      loss: report.loss,
      source: `catalog load ${load.name} (dataset ${fingerprint})`,
    });
    const nameOf = (code: number) => classByCode(code)?.name;
    const learned = learnedTerms(
      classifier.state.logisticRegression,
      classifier.state.tfidf.vocabulary,
      learnedTermsPerClass,
    );
    const trainCounts = new Map<number, number>();
    for (const product of trainingRows)
      trainCounts.set(product.prdtypecode, (trainCounts.get(product.prdtypecode) ?? 0) + 1);

    await uploadArtifacts(mlflow, run, {
      [`${modelDirectory.path}/${modelDirectory.bundle}`]: {
        content: bundle,
        type: 'application/octet-stream',
      },
      [`${modelDirectory.path}/${modelDirectory.mlmodel}`]: {
        content: mlmodelYaml(run.runId, bundleFormatVersion),
        type: 'text/yaml',
      },
      'evaluation/confusion_matrix.png': {
        content: renderConfusionMatrixPng(
          test.confusion_matrix,
          test.labels,
          `Confusion matrix — ${load.name}, held-out`,
        ),
        type: 'image/png',
      },
      'evaluation/confusion_matrix.json': {
        content: JSON.stringify({ labels: test.labels, matrix: test.confusion_matrix }),
        type: 'application/json',
      },
      'evaluation/classification_report.txt': {
        content: classificationReport(test, nameOf),
        type: 'text/plain',
      },
      'evaluation/classification_report.json': {
        content: JSON.stringify(test, null, 2),
        type: 'application/json',
      },
      'evaluation/learned_terms.json': {
        content: JSON.stringify(
          {
            terms_per_class: learnedTermsPerClass,
            classes: learned.map(({ classCode, intercept, positive, negative }) => ({
              prdtypecode: classCode,
              category: nameOf(classCode) ?? null,
              intercept,
              positive,
              negative,
            })),
          },
          null,
          2,
        ),
        type: 'application/json',
      },
      'evaluation/learned_terms.png': {
        content: renderLearnedTermsPng(learned, `Terms each class learned — ${load.name}`),
        type: 'image/png',
      },
      'data/class_distribution.png': {
        content: renderClassDistributionPng(trainCounts, `Training classes — ${load.name}`),
        type: 'image/png',
      },
      ...(feedback
        ? { [feedbackSetArtifact]: { content: feedback.lines, type: 'application/x-ndjson' } }
        : {}),
      'data/class_names.json': {
        content: JSON.stringify(
          Object.fromEntries(classifier.classes.map((code) => [code, nameOf(code) ?? null])),
          null,
          2,
        ),
        type: 'application/json',
      },
    });
    await mlflow.logBatch(run.runId, {
      metrics: [
        ...metricsToLog('test', test),
        ...metricsToLog('train', train),
        ...losses,
        { key: 'iterations', value: report.iterations },
        { key: 'fit_seconds', value: report.seconds.vectorize + report.seconds.optimize },
        { key: calibrationMetrics.temperature, value: heldOut.calibration.temperature },
        { key: calibrationMetrics.eceUncalibrated, value: heldOut.eceBefore },
        { key: calibrationMetrics.eceCalibrated, value: heldOut.eceAfter },
        { key: calibrationMetrics.logLossUncalibrated, value: heldOut.logLossBefore },
        { key: calibrationMetrics.logLossCalibrated, value: heldOut.logLossAfter },
        { key: calibrationMetrics.seconds, value: calibrationSeconds },
      ],
      tags: [{ key: trainingTags.weightsChecksum, value: checksum }],
    });
    progress('mlflow-logged', { run_id: run.runId });

    await mlflow.ensureRegisteredModel(
      request.registeredModel,
      'Rakuten product-type classifier (prodclass)',
    );
    const created = await mlflow.createModelVersion({
      name: request.registeredModel,
      source: `${run.artifactUri}/${modelDirectory.path}`,
      runId: run.runId,
      tags: {
        [trainingTags.dataVersion]: load.name,
        [trainingTags.datasetFingerprint]: fingerprint,
        [trainingTags.weightsChecksum]: checksum,
        [trainingTags.testF1Weighted]: String(test.f1_weighted),
      },
    });
    incompleteVersion = created.version;
    await mlflow.waitUntilModelVersionReady(request.registeredModel, created.version);
    const version = Number(created.version);
    await mlflow.setRunTag(run.runId, trainingTags.modelVersion, created.version);
    incompleteVersion = undefined;
    progress('registered', { registered_model: request.registeredModel, version });

    const summary: TrainingSummary = {
      run_id: run.runId,
      experiment_id: experimentId,
      registered_model: request.registeredModel,
      model_version: version,
      data_version: load.name,
      dataset_fingerprint: fingerprint,
      rows: { train: split.train.length, test: split.test.length },
      ...(feedback ? { feedback: feedback.summary } : {}),
      iterations: report.iterations,
      converged: report.converged,
      weights_checksum: checksum,
      metrics: { test: summarise(test), train: summarise(train) },
      calibration: {
        temperature: heldOut.calibration.temperature,
        ece_uncalibrated: heldOut.eceBefore,
        ece_calibrated: heldOut.eceAfter,
      },
    };
    if (request.promotion) {
      summary.promotion = await judge(
        { db, mlflow },
        request,
        request.promotion,
        version,
        test,
        classifier,
        split.test,
      );
      progress('promotion', summary.promotion);
    }
    await mlflow.endRun(run.runId, 'FINISHED');
    return summary;
  } catch (error) {
    if (incompleteVersion)
      await mlflow.deleteModelVersion(request.registeredModel, incompleteVersion).catch(() => {});
    await mlflow.endRun(run.runId, 'FAILED').catch(() => {});
    throw error;
  }
}

/** The feedback rows a run trains on, as the artifact's lines, with what the run records of them. */
async function readFeedback(
  db: pg.Client,
  request: FeedbackRequest,
  dataset: CatalogDataset,
  split: { train: readonly DatasetRow[]; test: readonly DatasetRow[] },
  splitSpec: SplitSpec,
) {
  if (splitSpec.method !== splitMethods.productIdHash)
    throw new Error('feedback needs the product-id split, to keep held-out products out of training');
  const { kept, heldOut } = withoutHeldOutProducts(
    await readFeedbackRows(db, request),
    { rows: dataset.rows, test: split.test },
    splitSpec,
  );
  const lines = feedbackSetLines(kept);
  return {
    rows: kept,
    lines,
    sources: request.sources.length > 0 ? [...request.sources].sort().join(',') : 'all',
    summary: {
      since: request.since.toISOString(),
      rows: kept.length,
      held_out: heldOut,
      fingerprint: feedbackFingerprint(lines),
    },
  };
}

async function judge(
  services: { db: pg.Client; mlflow: MlflowClient },
  request: TrainingRequest,
  policy: PromotionPolicy,
  version: number,
  challengerScores: ClassificationMetrics,
  challenger: TextClassifier,
  test: readonly DatasetRow[],
): Promise<NonNullable<TrainingSummary['promotion']>> {
  const champion = await compareWithChampion(
    services,
    { registeredModel: request.registeredModel, alias: policy.alias, challengerVersion: version },
    challenger,
    test,
  );
  const challengerF1 = challengerScores.f1_weighted;
  const scores: PromotionScores = {
    challengerF1,
    minF1: policy.minF1,
    minComparisonRows: policy.minComparisonRows,
    guardrails: policy.guardrails,
    challengerPerClass: challengerScores.per_class,
    ...(champion ? { champion } : {}),
  };
  const verdict = decidePromotion(scores);
  const target = {
    registeredModel: request.registeredModel,
    version,
    alias: policy.alias,
    requestedBy: request.requestedBy,
  };
  await recordDecision(services, target, verdict, scores);
  let previousVersion: number | undefined;
  const applied = verdict.decision === 'promote' && policy.apply;
  if (applied) {
    ({ previousVersion } = await promoteVersion(
      services,
      { ...target, reason: verdict.reason },
      'promoted',
      scores,
    ));
  }
  return {
    decision: verdict.decision,
    reason: verdict.reason,
    applied,
    alias: policy.alias,
    challenger_f1: challengerF1,
    ...(champion
      ? {
          champion_version: champion.version,
          champion_f1: champion.f1,
          comparison: {
            rows: champion.rows,
            champion_training_rows_excluded: champion.excludedRows,
            challenger_f1: champion.challengerF1,
            champion_f1: champion.f1,
            challenger_only_correct: champion.challengerOnly,
            champion_only_correct: champion.championOnly,
            mcnemar_mid_p: champion.midP,
          },
        }
      : {}),
    ...(previousVersion !== undefined ? { previous_version: previousVersion } : {}),
  };
}
