import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { MlflowClient } from '@prodclass/registry/mlflow/client';
import { modelDirectory } from '@prodclass/registry/model-directory';
import { decodeModelBundle } from '@prodclass/textmodel/bundle/model-bundle';
import { productHashPosition } from '@prodclass/textmodel/sampling/productid-split';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { trainingProductIds } from '../../trainer-job/src/training/champion-comparison.js';
import { readFeedbackRows } from '../../trainer-job/src/training/feedback-set.js';
import { type CliResult, runCli } from '../support/cli.js';
import { runPythonCheck } from '../support/python.js';
import { stackEnv } from '../support/stack-env.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

let database: TestDatabase;
let client: pg.Client;
let env: Record<string, string>;
let directory: string;
const mlflow = new MlflowClient(stackEnv().MLFLOW_TRACKING_URI);
const registeredModel = `fb_test_${randomBytes(4).toString('hex')}`;
const experiment = `feedback_test_${randomBytes(4).toString('hex')}`;

/** The code the model server got wrong for a new wording, and the one its labels correct it to. */
const predictedCode = 1280;
const correctedCode = 2905;
/** The default split: products whose keyed hash falls below the test size are held out. */
const heldOut = (productid: number) => productHashPosition(productid, 'prodclass') < 0.2;
const wording = (n: number) => ({
  designation: `zorblax quantum gizmo kit ${n}`,
  description: `zorblax holographic quantum gizmo, series ${n}`,
});

interface Summary {
  run_id: string;
  model_version: number;
  rows: { train: number; test: number };
  feedback?: { since: string; rows: number; held_out: number; fingerprint: string };
}

function json<T>(result: CliResult): T {
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as T;
}

const train = (...flags: string[]) =>
  runCli(['train', '--experiment', experiment, '--registered-model', registeredModel, ...flags], env).then(
    (result) => json<Summary>(result),
  );

async function log(predictedAt: string, productid: number | null, n: number): Promise<string> {
  const { designation, description } = wording(n);
  const { rows } = await client.query<{ prediction_id: string }>(
    `insert into inference_log (prediction_id, predicted_at, model_name, model_version, prdtypecode, confidence,
       text_length, designation, description, productid)
     values (gen_random_uuid(), $1, 'rakuten_classifier', '1', $2, 0.6, $3, $4, $5, $6)
     returning prediction_id`,
    [
      predictedAt,
      predictedCode,
      designation.length + description.length,
      designation,
      description,
      productid,
    ],
  );
  return rows[0]?.prediction_id as string;
}

async function loadLabels(name: string, lines: string[]): Promise<void> {
  const file = path.join(directory, name);
  await fs.writeFile(file, ['prediction_id,prdtypecode,labeled_at,labeled_by', ...lines, ''].join('\n'));
  const result = await runCli(['feedback', 'load', file], env);
  expect(result.code, result.stderr).toBe(0);
}

async function predictions(runId: string, texts: { designation: string; description: string }[]) {
  const run = await mlflow.getRun(runId);
  const bytes = await mlflow.downloadArtifact(
    `${run.artifactUri}/${modelDirectory.path}/${modelDirectory.bundle}`,
  );
  return Array.from(decodeModelBundle(bytes, `run ${runId}`).classifier.predict(texts));
}

const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3_600_000).toISOString();
/** Product ids the synthetic catalog lacks; 40 new products with a new wording, labeled correctedCode. */
const newProducts = Array.from({ length: 40 }, (_, index) => 900_000_000 + index);
const trainSide = newProducts.filter((productid) => !heldOut(productid));
const heldOutSide = newProducts.filter(heldOut);
/** A train-side product logged twice: first labeled 40, later correctedCode. */
const relabeledProduct = 900_001_000 + [...Array(100).keys()].findIndex((n) => !heldOut(900_001_000 + n));
const since = hoursAgo(24);
let latestOfProduct: string;
let replacedPrediction: string;
let corrected: string[];

beforeAll(async () => {
  database = await createTestDatabase();
  client = await database.connect();
  directory = await fs.mkdtemp(path.join(os.tmpdir(), 'prodclass-feedback-training-'));
  env = {
    DATABASE_URL: database.url,
    MLFLOW_TRACKING_URI: stackEnv().MLFLOW_TRACKING_URI,
    PRODCLASS_REQUESTED_BY: 'feedback-training-test',
  };
  const load = await runCli(
    ['data', 'load', '--source', 'synthetic', '--synthetic-rows', '10000', '--to-percent', '40'],
    env,
  );
  expect(load.code, load.stderr).toBe(0);

  corrected = [];
  for (const productid of newProducts) corrected.push(await log(hoursAgo(3), productid, productid));
  const earlierOfProduct = await log(hoursAgo(3), relabeledProduct, 1);
  latestOfProduct = await log(hoursAgo(3), relabeledProduct, 2);
  replacedPrediction = corrected[newProducts.indexOf(trainSide[0] as number)] as string;
  const withoutProduct = [await log(hoursAgo(3), null, 3), await log(hoursAgo(3), null, 4)];
  const beforeSince = await log(hoursAgo(72), trainSide[1] as number, 5);
  await loadLabels('first.csv', [
    ...corrected.map(
      (id) => `${id},${id === replacedPrediction ? 10 : correctedCode},${hoursAgo(2)},moderator`,
    ),
    `${earlierOfProduct},40,${hoursAgo(2)},seller`,
    `${latestOfProduct},${correctedCode},${hoursAgo(1)},seller`,
    ...withoutProduct.map((id) => `${id},${correctedCode},${hoursAgo(2)},moderator`),
    `${beforeSince},10,${hoursAgo(48)},moderator`,
  ]);
  // Replaces the label 10 of one prediction: the earlier one goes to the history.
  await loadLabels('second.csv', [`${replacedPrediction},${correctedCode},${hoursAgo(1.5)},moderator`]);
}, 180_000);

afterAll(async () => {
  await database?.drop();
  if (directory) await fs.rm(directory, { recursive: true, force: true });
});

describe('prodclass train --feedback-since against the real PostgreSQL and MLflow', () => {
  let baseline: Summary;
  let withFeedback: Summary;

  test('without feedback, a run records none and misses the new wording', { timeout: 300_000 }, async () => {
    baseline = await train();
    expect(baseline.feedback).toBeUndefined();
    const run = await mlflow.getRun(baseline.run_id);
    expect(Object.keys(run.tags).filter((key) => key.startsWith('prodclass.feedback'))).toEqual([]);
    const predicted = await predictions(baseline.run_id, trainSide.map(wording));
    expect(predicted.filter((code) => code === correctedCode).length).toBeLessThan(trainSide.length / 2);
  });

  test('with feedback, the corrected rows train (latest label per product), held-out products do not', {
    timeout: 300_000,
  }, async () => {
    withFeedback = await train('--feedback-since', since);
    expect(heldOutSide.length).toBeGreaterThan(0);
    // One row per train-side new product, one for the relabeled product, one per prediction without one.
    const expectedRows = trainSide.length + 1 + 2;
    expect(withFeedback.feedback).toMatchObject({
      since: new Date(since).toISOString(),
      rows: expectedRows,
      held_out: heldOutSide.length,
    });
    // The test split is the catalog's alone, as the champion's.
    expect(withFeedback.rows).toEqual(baseline.rows);

    const recorded = await runPythonCheck<{
      tags: Record<string, string>;
      params: Record<string, string>;
      feedback_set: string;
    }>('training/check_feedback_run.py', [stackEnv().MLFLOW_TRACKING_URI, withFeedback.run_id]);
    expect(recorded.tags).toMatchObject({
      'prodclass.feedback_fingerprint': withFeedback.feedback?.fingerprint,
      'prodclass.feedback_rows': String(expectedRows),
      'prodclass.feedback_since': new Date(since).toISOString(),
    });
    expect(recorded.params).toMatchObject({
      feedback_sources: 'all',
      feedback_rows_held_out: String(heldOutSide.length),
    });
    const members = recorded.feedback_set
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as [string, number | null, number, string, string | null, string]);
    expect(members).toHaveLength(expectedRows);
    expect(members.every(([, , code]) => code === correctedCode)).toBe(true);
    const products = members.map(([, productid]) => productid);
    for (const productid of heldOutSide) expect(products).not.toContain(productid);
    expect(products.filter((productid) => productid === relabeledProduct)).toHaveLength(1);
    expect(members.find(([, productid]) => productid === relabeledProduct)?.[0]).toBe(latestOfProduct);
    expect(members.find(([id]) => id === replacedPrediction)?.[2]).toBe(correctedCode);

    const predicted = await predictions(withFeedback.run_id, trainSide.map(wording));
    expect(predicted.every((code) => code === correctedCode)).toBe(true);
  });

  test('as champion, a version trained on feedback counts its feedback products as trained on', async () => {
    const version = await mlflow.modelVersion(registeredModel, String(withFeedback.model_version));
    const trained = await trainingProductIds({ db: client, mlflow }, version, 42);
    for (const productid of [...trainSide, relabeledProduct]) expect(trained.has(productid)).toBe(true);
    for (const productid of heldOutSide) expect(trained.has(productid)).toBe(false);
  });

  test('only the sources asked for count; a run with an empty feedback set records it and reproduces', {
    timeout: 300_000,
  }, async () => {
    const all = newProducts.length + 1 + 2;
    const since24h = new Date(since);
    expect(await readFeedbackRows(client, { since: since24h, sources: [] })).toHaveLength(all);
    expect(await readFeedbackRows(client, { since: since24h, sources: ['cli', 'catalog'] })).toHaveLength(
      all,
    );
    expect(await readFeedbackRows(client, { since: since24h, sources: ['api'] })).toEqual([]);
    // Served before `since`, an older prediction of a product counts once the time goes back far
    // enough, but its label is older than the product's other one: still one row, the latest label.
    const longer = await readFeedbackRows(client, { since: new Date(hoursAgo(96)), sources: [] });
    expect(longer).toHaveLength(all);
    expect(longer.find((row) => row.productid === trainSide[1])?.prdtypecode).toBe(correctedCode);

    const empty = await train('--feedback-since', since, '--feedback-source', 'api');
    expect(empty.feedback).toMatchObject({
      rows: 0,
      held_out: 0,
      fingerprint: createHash('sha256').digest('hex'),
    });
    const report = json<{ identical: boolean }>(await runCli(['reproduce', '--run-id', empty.run_id], env));
    expect(report.identical).toBe(true);
  });

  test('reproduce is bit-exact after the labels it trained on were replaced', {
    timeout: 300_000,
  }, async () => {
    await loadLabels(
      'third.csv',
      corrected.map((id) => `${id},10,${new Date(Date.now() - 1000).toISOString()},moderator`),
    );
    const { rows } = await client.query<{ count: number }>(
      'select count(*)::int as count from prediction_feedback_history where prediction_id = any($1)',
      [corrected],
    );
    expect(rows[0]?.count).toBeGreaterThanOrEqual(corrected.length);

    const report = json<{
      identical: boolean;
      feedback_fingerprint: { recorded: string; reproduced: string; identical: boolean };
    }>(await runCli(['reproduce', '--run-id', withFeedback.run_id], env));
    expect(report.feedback_fingerprint).toEqual({
      recorded: withFeedback.feedback?.fingerprint,
      reproduced: withFeedback.feedback?.fingerprint,
      identical: true,
    });
    expect(report.identical).toBe(true);
  });
});
