import type { DatasetRow } from '@prodclass/catalog/fingerprint';
import { trainingTags } from '@prodclass/registry/contract/mlflow-tags';
import { recordedSplit } from '@prodclass/registry/contract/split';
import type { MlflowClient, RegisteredModelVersion } from '@prodclass/registry/mlflow/client';
import { modelDirectory } from '@prodclass/registry/model-directory';
import type { ChampionComparison } from '@prodclass/registry/promotion/rule';
import { decodeModelBundle } from '@prodclass/textmodel/bundle/model-bundle';
import { classificationMetrics } from '@prodclass/textmodel/metrics/classification-metrics';
import { mcnemarMidP, pairedDisagreements } from '@prodclass/textmodel/metrics/mcnemar';
import type { TextClassifier } from '@prodclass/textmodel/model/text-classifier';
import type pg from 'pg';
import { feedbackSetArtifact, parseFeedbackSet } from './feedback-set.js';
import { splitDataset } from './split-dataset.js';
import { loadTrainingDataset } from './training-dataset.js';

/**
 * The product ids a registered version was trained on: its run's recorded data version, split
 * again the way its run recorded (the positional split for runs that recorded none), and the
 * products of the feedback set it stored, if it trained on feedback.
 */
export async function trainingProductIds(
  { db, mlflow }: { db: pg.Client; mlflow: MlflowClient },
  version: RegisteredModelVersion,
  seed: number,
): Promise<Set<number>> {
  const what = `${version.name} version ${version.version}`;
  if (!version.runId) throw new Error(`${what} has no run: its training products are unknown`);
  const run = await mlflow.getRun(version.runId);
  const dataVersion = run.tags[trainingTags.dataVersion];
  if (!dataVersion)
    throw new Error(
      `${what}'s run ${version.runId} has no ${trainingTags.dataVersion} tag: its training products are unknown`,
    );
  const split = recordedSplit(run.params, seed, `${what}'s run ${version.runId}`);
  const { train } = splitDataset(await loadTrainingDataset(db, dataVersion), split);
  const trained = new Set(train.map((row) => row.productid));
  if (run.tags[trainingTags.feedbackFingerprint] !== undefined) {
    const lines = await mlflow.downloadArtifact(`${run.artifactUri}/${feedbackSetArtifact}`);
    for (const { productid } of parseFeedbackSet(lines.toString('utf8'), `${what}'s feedback set`))
      if (productid !== null) trained.add(productid);
  }
  return trained;
}

/**
 * Scores the champion (the version `alias` points at) and the challenger on the challenger's
 * held-out rows that the champion never trained on, with the paired McNemar test on those rows.
 * Undefined when the alias points at no version or at the challenger itself.
 */
export async function compareWithChampion(
  services: { db: pg.Client; mlflow: MlflowClient },
  target: { registeredModel: string; alias: string; challengerVersion: number },
  challenger: TextClassifier,
  test: readonly DatasetRow[],
): Promise<ChampionComparison | undefined> {
  const { registeredModel, alias, challengerVersion } = target;
  const version = await services.mlflow.findModelVersionByAlias(registeredModel, alias);
  if (!version || Number(version.version) === challengerVersion) return undefined;
  const bytes = await services.mlflow.downloadArtifact(`${version.source}/${modelDirectory.bundle}`);
  const { classifier: champion } = decodeModelBundle(
    bytes,
    `champion ${registeredModel} version ${version.version}`,
  );
  const trained = await trainingProductIds(services, version, champion.state.settings.seed);
  const rows = test.filter((row) => !trained.has(row.productid));
  const labels = rows.map((row) => row.prdtypecode);
  const championPredictions = champion.predict(rows);
  const challengerPredictions = challenger.predict(rows);
  const disagreements = pairedDisagreements(labels, challengerPredictions, championPredictions);
  const score = (predictions: number[]) =>
    rows.length ? classificationMetrics(labels, predictions) : { f1_weighted: Number.NaN, per_class: {} };
  const championScores = score(championPredictions);
  const challengerScores = score(challengerPredictions);
  return {
    version: Number(version.version),
    f1: championScores.f1_weighted,
    challengerF1: challengerScores.f1_weighted,
    perClass: championScores.per_class,
    challengerPerClass: challengerScores.per_class,
    rows: rows.length,
    excludedRows: test.length - rows.length,
    ...disagreements,
    midP: mcnemarMidP(disagreements),
  };
}
