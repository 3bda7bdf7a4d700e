import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { latestCompletedLoad } from '@prodclass/catalog/data-loads';
import { readCatalogDataset } from '@prodclass/catalog/snapshot';
import type { ImpactResult } from '@prodclass/registry/contract/job-result';
import { MlflowClient } from '@prodclass/registry/mlflow/client';
import { modelDirectory } from '@prodclass/registry/model-directory';
import { decodeModelBundle } from '@prodclass/textmodel/bundle/model-bundle';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type CliResult, runCli } from '../support/cli.js';
import { stackEnv } from '../support/stack-env.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

// `prodclass model impact` on real PostgreSQL and MLflow: two versions trained on different data
// and settings, the catalog scored with both, checked against a count made here from the bundles.
let database: TestDatabase;
let env: Record<string, string>;
const registeredModel = `impact_${randomBytes(4).toString('hex')}`;
const experiment = `impact_${randomBytes(4).toString('hex')}`;
const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'prodclass-impact-'));

function succeeded(result: CliResult): string {
  expect(result.code, result.stderr).toBe(0);
  return result.stdout;
}

const train = (...flags: string[]) =>
  runCli(['train', '--experiment', experiment, '--registered-model', registeredModel, ...flags], env).then(
    succeeded,
  );

beforeAll(async () => {
  database = await createTestDatabase();
  env = { DATABASE_URL: database.url, MLFLOW_TRACKING_URI: stackEnv().MLFLOW_TRACKING_URI };
  const load = (...target: string[]) =>
    runCli(['data', 'load', '--source', 'synthetic', '--synthetic-rows', '6000', ...target], env).then(
      succeeded,
    );
  await load('--to-percent', '30');
  await train('--max-features', '150');
  await load('--to-percent', '60');
  await train('--max-features', '600');
  succeeded(
    await runCli(
      ['promote', '--registered-model', registeredModel, '--version', '1', '--reason', 'test'],
      env,
    ),
  );
}, 300_000);

afterAll(async () => {
  await database?.drop();
  fs.rmSync(directory, { recursive: true, force: true });
});

/** Counted here: the whole catalog of the latest load through each bundle at once. */
async function independentCount(): Promise<{
  products: number;
  changed: number;
  flips: Map<string, number>;
}> {
  const mlflow = new MlflowClient(stackEnv().MLFLOW_TRACKING_URI);
  const client = await database.connect();
  const { rows } = await readCatalogDataset(client, await latestCompletedLoad(client));
  const predictions = await Promise.all(
    ['1', '2'].map(async (version) => {
      const { source } = await mlflow.modelVersion(registeredModel, version);
      const bytes = await mlflow.downloadArtifact(`${source}/${modelDirectory.bundle}`);
      return decodeModelBundle(bytes).classifier.predict(rows);
    }),
  );
  const [champion, candidate] = predictions as [number[], number[]];
  const flips = new Map<string, number>();
  champion.forEach((from, i) => {
    const to = candidate[i];
    if (from !== to) flips.set(`${from}>${to}`, (flips.get(`${from}>${to}`) ?? 0) + 1);
  });
  return { products: rows.length, changed: [...flips.values()].reduce((a, b) => a + b, 0), flips };
}

test('the share of changed products and the top flips match a count made from the bundles', {
  timeout: 180_000,
}, async () => {
  const messageFile = path.join(directory, 'termination-log');
  const stdout = succeeded(
    await runCli(['model', 'impact', '--registered-model', registeredModel, '--candidate', '2'], {
      ...env,
      PRODCLASS_TERMINATION_MESSAGE_PATH: messageFile,
    }),
  );
  const result = JSON.parse(stdout) as ImpactResult;
  const expected = await independentCount();
  expect(result).toMatchObject({
    kind: 'impact',
    registeredModel,
    championVersion: '1',
    candidateVersion: '2',
    dataVersion: 'week_2',
    products: expected.products,
    changed: expected.changed,
  });
  expect(expected.changed).toBeGreaterThan(0);
  expect(result.changedShare).toBeCloseTo(expected.changed / expected.products, 12);
  expect(result.flips.length).toBe(Math.min(10, expected.flips.size));
  for (const flip of result.flips) expect(flip.count).toBe(expected.flips.get(`${flip.from}>${flip.to}`));
  const largest = Math.max(...expected.flips.values());
  expect(result.flips[0]?.count).toBe(largest);
  // The Job's result: the same JSON as the termination message.
  expect(JSON.parse(fs.readFileSync(messageFile, 'utf8'))).toEqual(result);
});

test('a missing alias or version ends with a clear error and no result', { timeout: 60_000 }, async () => {
  const noAlias = await runCli(
    [
      'model',
      'impact',
      '--registered-model',
      registeredModel,
      '--candidate',
      '2',
      '--champion-alias',
      'nosuch',
    ],
    env,
  );
  expect(noAlias.code).not.toBe(0);
  expect(noAlias.stderr).toMatch(new RegExp(`${registeredModel}@nosuch points at no version`));
  expect(noAlias.stderr).not.toMatch(/\n\s+at /);
  const noVersion = await runCli(
    ['model', 'impact', '--registered-model', registeredModel, '--candidate', '99'],
    env,
  );
  expect(noVersion.code).not.toBe(0);
  expect(noVersion.stderr).toMatch(new RegExp(`${registeredModel} has no version 99`));
});
