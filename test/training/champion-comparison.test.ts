import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import type { CatalogRow } from '@prodclass/catalog/catalog-row';
import { completedLoads } from '@prodclass/catalog/data-loads';
import { readCatalogDataset } from '@prodclass/catalog/snapshot';
import { MlflowClient } from '@prodclass/registry/mlflow/client';
import { modelDirectory } from '@prodclass/registry/model-directory';
import { decodeModelBundle } from '@prodclass/textmodel/bundle/model-bundle';
import { classificationMetrics } from '@prodclass/textmodel/metrics/classification-metrics';
import { productIdSplit } from '@prodclass/textmodel/sampling/productid-split';
import { afterAll, describe, expect, test } from 'vitest';
import { type CliResult, runCli } from '../support/cli.js';
import { betterWithMoreData, growingCatalogRows, worseWithMoreData } from '../support/growing-catalog.js';
import { stackEnv } from '../support/stack-env.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/**
 * The demo's continuous loop on generated data: v1 trained at 40%, then four loads of +3%, each
 * followed by a challenger judged against the champion. Real PostgreSQL and MLflow, through the
 * CLI the TrainingRun Jobs run.
 */

interface Summary {
  model_version: number;
  data_version: string;
  metrics: { test: { f1_weighted: number } };
  promotion: {
    decision: 'promote' | 'reject';
    reason: string;
    champion_version?: number;
    champion_f1?: number;
    comparison?: { rows: number; champion_training_rows_excluded: number };
  };
}

const splitKey = 'prodclass';
const testSize = 0.2;
const databases: TestDatabase[] = [];
afterAll(() => Promise.all(databases.map((database) => database.drop())));

function json<T>(result: CliResult): T {
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as T;
}

/** Loads 40%, trains v1, then four times loads +3% and trains a challenger; every summary. */
async function runLoop(
  source: string,
  env: Record<string, string>,
): Promise<{ registeredModel: string; summaries: Summary[] }> {
  const registeredModel = `fair_${randomBytes(4).toString('hex')}`;
  const train = async () =>
    json<Summary>(
      await runCli(
        [
          'train',
          '--registered-model',
          registeredModel,
          '--experiment',
          `fair_split_${registeredModel}`,
          '--auto-promote',
          '--min-f1',
          '0.5',
          '--split-key',
          splitKey,
        ],
        env,
      ),
    );
  const sourceFlags = source === 'synthetic' ? ['--synthetic-rows', String(growingCatalogRows)] : [];
  const load = async (...target: string[]) =>
    json(await runCli(['data', 'load', '--source', source, ...sourceFlags, ...target], env));
  await load('--to-percent', '40');
  const summaries = [await train()];
  for (let step = 0; step < 4; step++) {
    await load('--increment', '3');
    summaries.push(await train());
  }
  return { registeredModel, summaries };
}

async function databaseEnv(): Promise<{ database: TestDatabase; env: Record<string, string> }> {
  const database = await createTestDatabase();
  databases.push(database);
  return {
    database,
    env: { DATABASE_URL: database.url, MLFLOW_TRACKING_URI: stackEnv().MLFLOW_TRACKING_URI },
  };
}

describe('champion vs challenger on a growing catalog', () => {
  test('the champion is scored only on held-out rows it never trained on, each load', {
    timeout: 900_000,
  }, async () => {
    const { database, env } = await databaseEnv();
    const { registeredModel, summaries } = await runLoop('synthetic', env);
    expect(summaries[0]?.promotion.decision).toBe('promote');

    const client = await database.connect();
    const loads = await completedLoads(client);
    const datasetRows = async (name: string) =>
      (await readCatalogDataset(client, loads.find((load) => load.name === name) as (typeof loads)[number]))
        .rows;
    const mlflow = new MlflowClient(stackEnv().MLFLOW_TRACKING_URI);
    const v1Rows = await datasetRows(summaries[0]?.data_version as string);
    const v1Held = productIdSplit(v1Rows, testSize, splitKey).test.map((index) => v1Rows[index]?.productid);

    for (const challenger of summaries.slice(1)) {
      const championVersion = challenger.promotion.champion_version as number;
      const champion = summaries[championVersion - 1] as Summary;
      const championRows = await datasetRows(champion.data_version);
      const trained = new Set(
        productIdSplit(championRows, testSize, splitKey).train.map((index) => championRows[index]?.productid),
      );
      const rows = await datasetRows(challenger.data_version);
      const held = productIdSplit(rows, testSize, splitKey).test.map((index) => rows[index] as CatalogRow);
      const heldIds = new Set(held.map((row) => row.productid));
      // A product held out once stays held out: v1's test products are in every later test set.
      for (const id of v1Held) expect(heldIds.has(id as number)).toBe(true);
      const unseen = held.filter((row) => !trained.has(row.productid));
      expect(challenger.promotion.comparison).toMatchObject({
        rows: unseen.length,
        champion_training_rows_excluded: held.length - unseen.length,
      });
      // (b) No product the champion trained on is among the rows it was compared on.
      expect(unseen.some((row) => trained.has(row.productid))).toBe(false);
      // (a) The champion's score in the comparison is its score on rows it never saw.
      const version = await mlflow.modelVersion(registeredModel, String(championVersion));
      const model = decodeModelBundle(
        await mlflow.downloadArtifact(`${version.source}/${modelDirectory.bundle}`),
        'champion',
      ).classifier;
      const labels = unseen.map((row) => row.prdtypecode);
      expect(challenger.promotion.champion_f1).toBe(
        classificationMetrics(labels, model.predict(unseen)).f1_weighted,
      );
    }
    console.log(
      JSON.stringify(
        summaries.map(({ model_version, data_version, metrics, promotion }) => ({
          model_version,
          data_version,
          f1: metrics.test.f1_weighted,
          ...promotion,
        })),
      ),
    );
  });

  test('when later products teach the model a new product line, a challenger is promoted', {
    timeout: 900_000,
  }, async () => {
    const source = await betterWithMoreData();
    try {
      const { summaries } = await runLoop(source, (await databaseEnv()).env);
      const decisions = summaries.slice(1).map(({ promotion }) => promotion.decision);
      console.log(JSON.stringify(summaries.map(({ promotion }) => promotion.reason)));
      expect(decisions).toContain('promote');
    } finally {
      await fs.rm(source, { recursive: true, force: true });
    }
  });

  test('when later products carry shuffled labels, no challenger is promoted', {
    timeout: 900_000,
  }, async () => {
    const source = await worseWithMoreData();
    try {
      const { summaries } = await runLoop(source, (await databaseEnv()).env);
      console.log(JSON.stringify(summaries.map(({ promotion }) => promotion.reason)));
      expect(summaries.slice(1).map(({ promotion }) => promotion.decision)).toEqual(Array(4).fill('reject'));
    } finally {
      await fs.rm(source, { recursive: true, force: true });
    }
  });
});
