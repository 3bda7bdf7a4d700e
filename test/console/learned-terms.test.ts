import { randomBytes } from 'node:crypto';
import { MlflowClient } from '@prodclass/registry/mlflow/client';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { escapeHtml } from '../../console/src/html.js';
import { parseLearnedTerms } from '../../console/src/learned-terms.js';
import { applyCrds, createNamespace, deleteNamespace } from '../operator/support/cluster.js';
import { recordTraining } from '../operator/support/mlflow.js';
import { runCli } from '../support/cli.js';
import { stackEnv } from '../support/stack-env.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { type RunningConsole, startConsole } from './support/console.js';

// The Models page's learned terms: v1 is a real model trained by `prodclass train` against the
// stack's MLflow, so its run has evaluation/learned_terms.json; v2 is a version registered the way
// training did before those terms were logged, so its run has none.
const suffix = randomBytes(4).toString('hex');
const registeredModel = `console_terms_${suffix}`;
const experiment = `console_terms_${suffix}`;
let namespace: string;
let database: TestDatabase;
let consoleServer: RunningConsole;
let trainedRunId: string;

beforeAll(async () => {
  await applyCrds();
  namespace = await createNamespace('console-terms');
  database = await createTestDatabase();
  const env = { DATABASE_URL: database.url, MLFLOW_TRACKING_URI: stackEnv().MLFLOW_TRACKING_URI };
  const load = await runCli(
    ['data', 'load', '--source', 'synthetic', '--synthetic-rows', '3000', '--to-percent', '40'],
    env,
  );
  expect(load.code, load.stderr).toBe(0);
  const trained = await runCli(
    ['train', '--experiment', experiment, '--registered-model', registeredModel, '--max-features', '200'],
    env,
  );
  expect(trained.code, trained.stderr).toBe(0);
  const summary = JSON.parse(trained.stdout) as { run_id: string; model_version: number };
  expect(summary.model_version).toBe(1);
  trainedRunId = summary.run_id;
  const before = await recordTraining({ experiment, registeredModel, trainingRun: 'before-terms', f1: 0.6 });
  expect(before.version).toBe('2');
  consoleServer = await startConsole(namespace, database.url, { registeredModel });
}, 300_000);

afterAll(async () => {
  await consoleServer?.close();
  if (namespace) await deleteNamespace(namespace);
  await database?.drop();
});

const modelsPage = async (query: string) => {
  const response = await fetch(`${consoleServer.url}/models${query}`, {
    headers: { 'x-forwarded-user': 'alice' },
  });
  expect(response.status).toBe(200);
  return response.text();
};

test('a version trained with learned terms shows each class’s terms towards and away', async () => {
  const mlflow = new MlflowClient(stackEnv().MLFLOW_TRACKING_URI);
  const run = await mlflow.getRun(trainedRunId);
  const logged = parseLearnedTerms(
    (await mlflow.downloadArtifact(`${run.artifactUri}/evaluation/learned_terms.json`)).toString('utf8'),
  );
  const first = logged?.[0];
  if (!first?.positive[0] || !first.negative[0]) throw new Error('the trained run logged no terms');

  const category = escapeHtml(first.category ?? '');
  const body = await modelsPage('?version=1');
  expect(body).toContain('<h2 id="learned-terms">Learned terms</h2>');
  expect(body).toMatch(/<option value="1" selected>v1<\/option>/);
  expect(body).not.toContain('id="learned-terms-missing"');
  // One table per class, captioned with its name and code, with column and row headers.
  expect(body.match(/<caption><strong>/g)).toHaveLength(logged?.length ?? 0);
  expect(body).toContain(`<caption><strong>${category}</strong> (${first.prdtypecode})`);
  expect(body).toContain(`<th scope="col">Towards ${category}</th>`);
  expect(body).toContain(
    `<th scope="row" class="num">1</th><td><span class="word-up-1">${escapeHtml(first.positive[0].feature)}</span></td><td class="num">+${first.positive[0].weight.toFixed(3)}</td>`,
  );
  expect(body).toContain(
    `<span class="word-down-1">${escapeHtml(first.negative[0].feature)}</span></td><td class="num">−${Math.abs(first.negative[0].weight).toFixed(3)}</td>`,
  );
  expect(body).not.toMatch(/style="|<style|<script>/);
});

test('a version trained before learned terms were logged says so', async () => {
  const body = await modelsPage('?version=2');
  expect(body).toMatch(/<option value="2" selected>v2<\/option>/);
  expect(body).toContain('v2 was trained before learned terms were logged');
  expect(body).not.toContain('<caption><strong>');
  // Without a choice the newest version is shown (no alias is set).
  expect(await modelsPage('')).toContain('v2 was trained before learned terms were logged');
});

test('a version that is not a number is refused', async () => {
  const response = await fetch(`${consoleServer.url}/models?version=latest`, {
    headers: { 'x-forwarded-user': 'alice' },
  });
  expect(response.status).toBe(400);
});
