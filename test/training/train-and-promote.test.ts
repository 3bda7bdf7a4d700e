import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { freePort } from '../../stack/processes.js';
import { type CliResult, runCli } from '../support/cli.js';
import { runPythonCheck } from '../support/python.js';
import { stackEnv } from '../support/stack-env.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

let database: TestDatabase;
let env: Record<string, string>;
const registeredModel = `rc_test_${randomBytes(4).toString('hex')}`;
const experiment = `training_test_${randomBytes(4).toString('hex')}`;

function json<T>(result: CliResult): T {
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as T;
}

interface Summary {
  run_id: string;
  model_version: number;
  weights_checksum: string;
  metrics: { test: { f1_weighted: number } };
  calibration: { temperature: number; ece_uncalibrated: number; ece_calibrated: number };
  promotion: {
    decision: string;
    applied: boolean;
    reason: string;
    champion_version?: number;
    champion_f1?: number;
  };
}

/** A small catalog keeps the fits quick; hyperparameters make each challenger worse or better. */
const train = (...flags: string[]) =>
  runCli(
    [
      'train',
      '--experiment',
      experiment,
      '--registered-model',
      registeredModel,
      '--auto-promote',
      '--min-f1',
      '0.5',
      '--tag',
      'suite=train-and-promote',
      ...flags,
    ],
    env,
  ).then((result) => json<Summary>(result));

async function promotionRows() {
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    const { rows } = await client.query(
      'select version, decision, previous_version from promotions where registered_model = $1 order by id',
      [registeredModel],
    );
    return rows;
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  database = await createTestDatabase();
  env = { DATABASE_URL: database.url, MLFLOW_TRACKING_URI: stackEnv().MLFLOW_TRACKING_URI };
  const load = await runCli(
    ['data', 'load', '--source', 'synthetic', '--synthetic-rows', '10000', '--to-percent', '40'],
    env,
  );
  expect(load.code, load.stderr).toBe(0);
}, 120_000);

afterAll(() => database?.drop());

describe('prodclass train, promote and reproduce against the real MLflow and PostgreSQL', () => {
  let champion: Summary;

  test('a first model is trained, logged, registered and promoted', { timeout: 180_000 }, async () => {
    champion = await train('--max-features', '400');
    expect(champion.model_version).toBe(1);
    expect(champion.promotion).toMatchObject({ decision: 'promote', applied: true });
    expect(champion.metrics.test.f1_weighted).toBeGreaterThan(0.5);

    const records = await runPythonCheck<{
      status: string;
      params: Record<string, string>;
      metrics: Record<string, number>;
      tags: Record<string, string>;
      loss_history_length: number;
      inputs: string[];
      artifacts: string[];
      version: { source: string; run_id: string; status: string; tags: Record<string, string> };
      alias_version: string;
    }>('training/check_mlflow_records.py', [
      stackEnv().MLFLOW_TRACKING_URI,
      champion.run_id,
      registeredModel,
      '1',
      'production',
    ]);
    expect(records.status).toBe('FINISHED');
    expect(records.params).toMatchObject({
      max_features: '400',
      C: '1',
      solver: 'lbfgs',
      data_version: 'initial_40.0pct',
      split_method: 'productid_hash',
      split_key: 'prodclass',
      test_size: '0.2',
    });
    expect(records.metrics.test_f1_weighted).toBeCloseTo(champion.metrics.test.f1_weighted, 12);
    for (const key of ['test_accuracy', 'train_f1_weighted', 'test_f1_macro', 'test_f1_class_2583'])
      expect(records.metrics).toHaveProperty(key);
    // Calibrated on the held-out split: the temperature the bundle serves with, and a lower ECE.
    expect(records.metrics.calibration_temperature).toBeCloseTo(champion.calibration.temperature, 12);
    expect(records.metrics.test_ece_uncalibrated).toBeCloseTo(champion.calibration.ece_uncalibrated, 12);
    expect(records.metrics.test_ece_calibrated).toBeLessThan(records.metrics.test_ece_uncalibrated as number);
    expect(records.metrics.test_log_loss_calibrated).toBeLessThan(
      records.metrics.test_log_loss_uncalibrated as number,
    );
    expect(records.metrics).toHaveProperty('calibration_seconds');
    expect(records.loss_history_length).toBeGreaterThan(1);
    expect(records.tags).toMatchObject({
      'prodclass.data_version': 'initial_40.0pct',
      'prodclass.model_version': '1',
      'prodclass.weights_checksum': champion.weights_checksum,
      suite: 'train-and-promote',
    });
    expect(records.tags['prodclass.dataset_fingerprint']).toMatch(/^[0-9a-f]{64}$/);
    expect(records.tags['mlflow.source.git.commit']).toMatch(/^[0-9a-f]{40}$/);
    expect(records.inputs).toEqual(['rakuten_catalog@initial_40.0pct']);
    expect(records.artifacts).toEqual(
      expect.arrayContaining([
        'model/MLmodel',
        'model/model.bundle',
        'evaluation/confusion_matrix.png',
        'evaluation/confusion_matrix.json',
        'evaluation/classification_report.txt',
        'evaluation/learned_terms.json',
        'evaluation/learned_terms.png',
        'data/class_distribution.png',
        'data/class_names.json',
      ]),
    );
    expect(records.version.source).toMatch(new RegExp(`${champion.run_id}/artifacts/model$`));
    expect(records.version.run_id).toBe(champion.run_id);
    expect(records.version.status).toBe('READY');
    expect(records.version.tags).toMatchObject({
      'prodclass.data_version': 'initial_40.0pct',
      'prodclass.promotion.decision': 'promote',
    });
    expect(records.alias_version).toBe('1');
  });

  test('a worse challenger is rejected on the same held-out split and the alias stays', {
    timeout: 180_000,
  }, async () => {
    const worse = await train('--max-features', '20');
    expect(worse.model_version).toBe(2);
    expect(worse.promotion).toMatchObject({ decision: 'reject', applied: false, champion_version: 1 });
    // The champion was re-scored on the challenger's split: the same data, so the same score.
    expect(worse.promotion.champion_f1).toBeCloseTo(champion.metrics.test.f1_weighted, 12);
    const alias = await runCli(['promote', '--registered-model', registeredModel, '--version', '2'], env);
    expect(alias.code).toBe(1);
    expect(alias.stderr).toMatch(/version 2 was rejected .* cannot be promoted/);
  });

  test('a better challenger is promoted, and rollback returns to the previous promoted version', {
    timeout: 180_000,
  }, async () => {
    const better = await train('--max-features', '3000');
    expect(better.model_version).toBe(3);
    expect(better.promotion).toMatchObject({ decision: 'promote', applied: true, champion_version: 1 });

    const rolledBack = json<{ version: number; previousVersion: number }>(
      await runCli(['promote', '--registered-model', registeredModel, '--rollback', '--reason', 'test'], env),
    );
    expect(rolledBack).toMatchObject({ version: 1, previousVersion: 3 });
    expect(await promotionRows()).toEqual([
      { version: 1, decision: 'promoted', previous_version: null },
      { version: 2, decision: 'rejected', previous_version: null },
      { version: 3, decision: 'promoted', previous_version: 1 },
      { version: 1, decision: 'rolled_back', previous_version: 3 },
    ]);
    const again = await runCli(['promote', '--registered-model', registeredModel, '--rollback'], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/no earlier promoted version/);

    // For servers and tools that still read registry stages.
    const staged = await runCli(
      [
        'promote',
        '--registered-model',
        registeredModel,
        '--version',
        '3',
        '--stage',
        'Production',
        '--reason',
        'manual',
      ],
      env,
    );
    expect(json<{ version: number; previousVersion: number }>(staged)).toMatchObject({
      version: 3,
      previousVersion: 1,
    });
    const query = new URLSearchParams({ name: registeredModel, version: '3' });
    const { model_version } = (await (
      await fetch(`${stackEnv().MLFLOW_TRACKING_URI}/api/2.0/mlflow/model-versions/get?${query}`)
    ).json()) as { model_version: { current_stage: string; aliases: string[] } };
    expect(model_version).toMatchObject({ current_stage: 'Production', aliases: ['production'] });
  });

  test('prodclass reproduce rebuilds the run and finds identical weights and metrics', {
    timeout: 180_000,
  }, async () => {
    const report = json<{ identical: boolean; weights_checksum: { identical: boolean } }>(
      await runCli(['reproduce', '--run-id', champion.run_id], env),
    );
    expect(report.weights_checksum.identical).toBe(true);
    expect(report.identical).toBe(true);
  });

  test('with MLflow unreachable, training gives up after its retries and says so', {
    timeout: 120_000,
  }, async () => {
    const result = await runCli(['train'], {
      ...env,
      MLFLOW_TRACKING_URI: `http://127.0.0.1:${await freePort()}`,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^prodclass: MLflow at http:\/\/127\.0\.0\.1:\d+ is unreachable .*after 5 attempts/m,
    );
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  test('with PostgreSQL unreachable, training gives up after its retries and says so', {
    timeout: 120_000,
  }, async () => {
    const url = new URL(database.url);
    url.port = String(await freePort());
    const result = await runCli(['train'], { ...env, DATABASE_URL: url.toString() });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^prodclass: cannot connect to PostgreSQL at 127\.0\.0\.1:\d+\/\w+: .*after 5 attempts/m,
    );
  });
});
