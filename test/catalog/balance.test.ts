import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadCatalog } from '@prodclass/catalog/load';
import { syntheticSource } from '@prodclass/catalog/source';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { runCli } from '../support/cli.js';
import { runPythonCheck } from '../support/python.js';
import { stackEnv } from '../support/stack-env.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

let database: TestDatabase;
let scratch: string;

beforeAll(async () => {
  database = await createTestDatabase();
  scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'prodclass-balance-'));
  const client = await database.connect();
  await loadCatalog(client, { source: syntheticSource(20_000, 5), target: { toPercent: 40 }, seed: 42 });
});
afterAll(async () => {
  await fs.rm(scratch, { recursive: true, force: true });
  await database?.drop();
});

interface ParquetReport {
  columns: string[];
  splits: string[];
  train_rows: number;
  test_rows: number;
  train_counts: Record<string, number>;
  test_counts: Record<string, number>;
  test_products_in_train: number;
  duplicate_test_products: number;
  null_descriptions: number;
  empty_descriptions: number;
}

async function mlflow<T>(pathAndQuery: string): Promise<T> {
  const response = await fetch(new URL(`/api/2.0/mlflow/${pathAndQuery}`, stackEnv().MLFLOW_TRACKING_URI));
  expect(response.ok).toBe(true);
  return (await response.json()) as T;
}

test('the balanced set splits first and oversamples only its training part; MLflow records it', async () => {
  const file = path.join(scratch, 'balanced.parquet');
  const result = await runCli(['data', 'balance', '--as-of', 'initial_40.0pct', '--out', file], {
    DATABASE_URL: database.url,
    MLFLOW_TRACKING_URI: stackEnv().MLFLOW_TRACKING_URI,
  });
  expect(result.stderr).not.toContain('prodclass:');
  expect(result.code).toBe(0);
  const printed = JSON.parse(result.stdout);
  expect(printed).toMatchObject({
    load: 'initial_40.0pct',
    test_rows: expect.any(Number),
    imbalance_ratio_after: 1,
  });
  expect(printed.run_id).toMatch(/^[0-9a-f]{32}$/);

  const report = await runPythonCheck<ParquetReport>('catalog/balanced_parquet.py', [file]);
  expect(report.columns).toEqual(['split', 'productid', 'designation', 'description', 'prdtypecode']);
  expect(report.splits).toEqual(['test', 'train']);
  expect(report.test_products_in_train).toBe(0);
  expect(report.duplicate_test_products).toBe(0);
  expect(report.empty_descriptions).toBe(0);
  expect(report.null_descriptions).toBeGreaterThan(0);
  expect(report.test_rows).toBe(printed.test_rows);
  expect(report.test_rows).toBeGreaterThan(0.19 * 8_000);
  expect(report.test_rows).toBeLessThan(0.21 * 8_000);
  const trainCounts = Object.values(report.train_counts);
  expect(trainCounts).toHaveLength(27);
  expect(new Set(trainCounts).size).toBe(1);
  expect(report.train_rows).toBe(printed.train_rows_after);
  expect(Object.keys(report.test_counts)).toHaveLength(27);

  const { run } = await mlflow<{
    run: {
      info: { status: string; experiment_id: string };
      data: { params: { key: string; value: string }[]; metrics: { key: string; value: number }[] };
    };
  }>(`runs/get?run_id=${printed.run_id}`);
  expect(run.info.status).toBe('FINISHED');
  const params = Object.fromEntries(run.data.params.map((param) => [param.key, param.value]));
  expect(params).toMatchObject({
    data_version: 'initial_40.0pct',
    percentage: '40',
    strategy: 'random_oversampling_train_only',
    seed: '42',
    test_size: '0.2',
    rows_total: '8000',
    test_rows: String(report.test_rows),
    train_rows_after: String(report.train_rows),
  });
  const metrics = Object.fromEntries(run.data.metrics.map((metric) => [metric.key, metric.value]));
  expect(metrics.imbalance_ratio_after).toBe(1);
  expect(metrics.imbalance_ratio_before).toBeGreaterThan(5);
  expect(metrics.train_count_after_2583).toBe(trainCounts[0]);
  const experiment = await mlflow<{ experiment: { name: string } }>(
    `experiments/get?experiment_id=${run.info.experiment_id}`,
  );
  expect(experiment.experiment.name).toBe('rakuten_dataset_versioning');
  const artifacts = await mlflow<{ files?: { path: string; file_size?: string }[] }>(
    `artifacts/list?run_id=${printed.run_id}&path=dataset`,
  );
  const parquet = artifacts.files?.find((entry) => entry.path === 'dataset/balanced.parquet');
  expect(Number(parquet?.file_size)).toBe((await fs.stat(file)).size);
  const charts = await mlflow<{ files?: { path: string; file_size?: string }[] }>(
    `artifacts/list?run_id=${printed.run_id}&path=charts`,
  );
  expect(charts.files?.map((entry) => entry.path).sort()).toEqual([
    'charts/class_distribution_after.png',
    'charts/class_distribution_before.png',
    'charts/class_distribution_test.png',
  ]);
  const png = await fetch(
    new URL(
      `/get-artifact?path=charts/class_distribution_after.png&run_uuid=${printed.run_id}`,
      stackEnv().MLFLOW_TRACKING_URI,
    ),
  );
  expect([...new Uint8Array(await png.arrayBuffer()).subarray(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
});

test('the balanced set is the same for the same seed', async () => {
  const client = await database.connect();
  const env = { DATABASE_URL: database.url, MLFLOW_TRACKING_URI: stackEnv().MLFLOW_TRACKING_URI };
  const [first, second] = ['a.parquet', 'b.parquet'].map((name) => path.join(scratch, name)) as [
    string,
    string,
  ];
  expect((await runCli(['data', 'balance', '--as-of', 'initial_40.0pct', '--out', first], env)).code).toBe(0);
  expect((await runCli(['data', 'balance', '--as-of', 'initial_40.0pct', '--out', second], env)).code).toBe(
    0,
  );
  expect(await fs.readFile(first)).toEqual(await fs.readFile(second));
  await client.end();
});
