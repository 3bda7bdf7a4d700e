import { randomBytes } from 'node:crypto';
import { completedLoads } from '@prodclass/catalog/data-loads';
import { readCatalogDataset } from '@prodclass/catalog/snapshot';
import { metricKey } from '@prodclass/registry/contract/metric-keys';
import { trainingTags } from '@prodclass/registry/contract/mlflow-tags';
import { splitMethods, splitParams } from '@prodclass/registry/contract/split';
import { MlflowClient } from '@prodclass/registry/mlflow/client';
import { mlmodelYaml, modelDirectory } from '@prodclass/registry/model-directory';
import { bundleFormatVersion, encodeModelBundle } from '@prodclass/textmodel/bundle/model-bundle';
import { weightsChecksum } from '@prodclass/textmodel/bundle/weights-checksum';
import { defaultTfidfSettings } from '@prodclass/textmodel/features/tfidf-vectorizer';
import { classificationMetrics } from '@prodclass/textmodel/metrics/classification-metrics';
import { defaultLogisticRegressionSettings } from '@prodclass/textmodel/model/logistic-regression';
import { TextClassifier } from '@prodclass/textmodel/model/text-classifier';
import { productIdSplit } from '@prodclass/textmodel/sampling/productid-split';
import { stratifiedSplit } from '@prodclass/textmodel/sampling/stratified-split';
import { defaultTextSettings } from '@prodclass/textmodel/text/product-text';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type CliResult, runCli } from '../support/cli.js';
import { stackEnv } from '../support/stack-env.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/**
 * A champion logged before the product-id split: its run records no split_method, and it was
 * trained on a positional split (stratified shuffle of row positions, seeded). Logged here as
 * `prodclass train` logged such runs, then reproduced and challenged by today's CLI.
 */

let database: TestDatabase;
let env: Record<string, string>;
const registeredModel = `positional_${randomBytes(4).toString('hex')}`;
const mlflow = new MlflowClient(stackEnv().MLFLOW_TRACKING_URI);
let oldRunId: string;
let oldTrainIds: Set<number>;

function json<T>(result: CliResult): T {
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as T;
}

beforeAll(async () => {
  database = await createTestDatabase();
  env = { DATABASE_URL: database.url, MLFLOW_TRACKING_URI: stackEnv().MLFLOW_TRACKING_URI };
  json(
    await runCli(
      ['data', 'load', '--source', 'synthetic', '--synthetic-rows', '8000', '--to-percent', '40'],
      env,
    ),
  );

  const client = await database.connect();
  const [load] = await completedLoads(client);
  const dataset = await readCatalogDataset(client, load as NonNullable<typeof load>);
  const split = stratifiedSplit(
    Int32Array.from(dataset.rows, (row) => row.prdtypecode),
    0.2,
    42,
  );
  const train = split.train.map((index) => dataset.rows[index] as (typeof dataset.rows)[number]);
  const held = split.test.map((index) => dataset.rows[index] as (typeof dataset.rows)[number]);
  oldTrainIds = new Set(train.map((row) => row.productid));
  const { classifier, report } = await TextClassifier.fit(train, {
    text: defaultTextSettings,
    tfidf: { ...defaultTfidfSettings, maxFeatures: 400 },
    logisticRegression: { ...defaultLogisticRegressionSettings, maxIter: 300 },
    seed: 42,
  });
  const metrics = classificationMetrics(
    held.map((row) => row.prdtypecode),
    classifier.predict(held),
  );

  const run = await mlflow.createRun(
    await mlflow.experimentId(`${registeredModel}_runs`),
    'before-split-method',
    {
      [trainingTags.dataVersion]: load?.name as string,
      [trainingTags.datasetFingerprint]: dataset.fingerprint,
      [trainingTags.weightsChecksum]: weightsChecksum(classifier.state.logisticRegression),
    },
  );
  oldRunId = run.runId;
  await mlflow.logBatch(run.runId, {
    params: [{ key: splitParams.testSize, value: '0.2' }],
    metrics: (['accuracy', 'f1_weighted', 'f1_macro', 'precision_weighted', 'recall_weighted'] as const).map(
      (score) => ({ key: metricKey('test', score), value: metrics[score] }),
    ),
  });
  const bundle = encodeModelBundle(classifier, { ...report, source: 'a run from before split_method' });
  await mlflow.uploadArtifact(
    run,
    `${modelDirectory.path}/${modelDirectory.bundle}`,
    bundle,
    'application/octet-stream',
  );
  await mlflow.uploadArtifact(
    run,
    `${modelDirectory.path}/${modelDirectory.mlmodel}`,
    Buffer.from(mlmodelYaml(run.runId, bundleFormatVersion)),
    'text/yaml',
  );
  await mlflow.endRun(run.runId, 'FINISHED');
  await mlflow.ensureRegisteredModel(registeredModel, 'positional champion');
  const { version } = await mlflow.createModelVersion({
    name: registeredModel,
    source: `${run.artifactUri}/${modelDirectory.path}`,
    runId: run.runId,
  });
  await mlflow.waitUntilModelVersionReady(registeredModel, version);
  await mlflow.setAlias(registeredModel, 'production', version);
}, 300_000);

afterAll(() => database?.drop());

describe('runs from before the product-id split', () => {
  test('prodclass reproduce splits them positionally, as they were, and finds them identical', {
    timeout: 300_000,
  }, async () => {
    const report = json<{ identical: boolean; split: { method: string } }>(
      await runCli(['reproduce', '--run-id', oldRunId], env),
    );
    expect(report.split).toEqual({ method: splitMethods.positional, testSize: 0.2, seed: 42 });
    expect(report.identical).toBe(true);
  });

  test('as champion, its positional training products are left out of the comparison', {
    timeout: 300_000,
  }, async () => {
    json(
      await runCli(
        ['data', 'load', '--source', 'synthetic', '--synthetic-rows', '8000', '--increment', '3'],
        env,
      ),
    );
    const summary = json<{
      data_version: string;
      promotion: {
        champion_version: number;
        comparison: { rows: number; champion_training_rows_excluded: number };
      };
    }>(
      await runCli(
        [
          'train',
          '--registered-model',
          registeredModel,
          '--experiment',
          `${registeredModel}_runs`,
          '--auto-promote',
          '--min-f1',
          '0.3',
          '--min-comparison-rows',
          '100',
        ],
        env,
      ),
    );
    const client = await database.connect();
    const loads = await completedLoads(client);
    const rows = (
      await readCatalogDataset(
        client,
        loads.find((load) => load.name === summary.data_version) as (typeof loads)[number],
      )
    ).rows;
    const held = productIdSplit(rows, 0.2, 'prodclass').test.map((index) => rows[index]?.productid as number);
    const excluded = held.filter((id) => oldTrainIds.has(id)).length;
    // About 80% of the held-out products that were in the 40% snapshot: the old split trained on them.
    expect(excluded).toBeGreaterThan(held.length / 2);
    expect(summary.promotion.champion_version).toBe(1);
    expect(summary.promotion.comparison).toMatchObject({
      rows: held.length - excluded,
      champion_training_rows_excluded: excluded,
    });
  });
});
