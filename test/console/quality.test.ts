import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import * as k8s from '@kubernetes/client-node';
import type pg from 'pg';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { fitTestBundle, syntheticProducts } from '../model-server/support/bundle.js';
import { TestRegistry } from '../model-server/support/mlflow-registry.js';
import {
  type Prediction,
  postJson,
  type RunningServer,
  startServer,
  waitUntilReady,
} from '../model-server/support/server.js';
import { adminConfig, applyCrds, createNamespace, deleteNamespace } from '../operator/support/cluster.js';
import { Resources, repository } from '../operator/support/harness.js';
import { stackEnv } from '../support/stack-env.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { axeViolations, type Chromium, launchChromium } from './support/chromium.js';
import { allowActions, type RunningConsole, startConsole } from './support/console.js';

// The Quality page and the simulator's correction control in Debian's headless Chromium, over a
// model version registered in MLflow (with its offline test accuracy), served by a real model
// server that logs to PostgreSQL, labels written through its real POST /feedback.
const screenshots = path.join(repository, '.local/console-screenshots');
const feedbackToken = 'console-quality-feedback-token';
const offlineAccuracy = 0.9;
let namespace: string;
let database: TestDatabase;
let client: pg.Client;
let registry: TestRegistry;
let version: string;
let modelServer: RunningServer;
let consoleServer: RunningConsole;
let browser: BrowserContext;
let chromium: Chromium | undefined;

beforeAll(async () => {
  await applyCrds();
  namespace = await createNamespace('console-quality');
  await allowActions(namespace, 'alice');
  database = await createTestDatabase();
  client = await database.connect();
  registry = new TestRegistry();
  await registry.createModel();
  version = await registry.addVersion(await fitTestBundle(44), { test_accuracy: offlineAccuracy });
  await registry.setAlias('production', version);
  modelServer = await startServer({
    MODEL_URI: `models:/${registry.name}@production`,
    MLFLOW_TRACKING_URI: stackEnv().MLFLOW_TRACKING_URI,
    DATABASE_URL: database.url,
    FEEDBACK_TOKEN: feedbackToken,
  });
  await waitUntilReady(modelServer.url);
  await adminConfig()
    .makeApiClient(k8s.CoreV1Api)
    .createNamespacedService({
      namespace,
      body: {
        metadata: { name: 'classifier', annotations: { 'local-runner.prodclass.dev/url': modelServer.url } },
        spec: { ports: [{ port: 80 }] },
      },
    });
  await new Resources(namespace).create('PredictionService', 'predictionservices', 'classifier', {});
  consoleServer = await startConsole(namespace, database.url, {
    registeredModel: registry.name,
    feedbackToken,
  });
  fs.mkdirSync(screenshots, { recursive: true });
  chromium = await launchChromium('console-quality-chromium-');
  browser = chromium.browser;
}, 240_000);

afterAll(async () => {
  await chromium?.close();
  await consoleServer?.close();
  await modelServer?.close();
  if (namespace) await deleteNamespace(namespace);
  await client?.end();
  await database?.drop();
});

async function feedback(items: unknown[]): Promise<void> {
  const response = await fetch(`${modelServer.url}/feedback/batch`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${feedbackToken}` },
    body: JSON.stringify({ items }),
  });
  expect(response.status, await response.clone().text()).toBe(200);
}

/** A page that records the Content-Security-Policy errors its console reports. */
async function openPage(url: string): Promise<{ page: Page; policyViolations: string[] }> {
  const page = await browser.newPage();
  const policyViolations: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy/i.test(message.text()))
      policyViolations.push(message.text());
  });
  await page.goto(url);
  return { page, policyViolations };
}

async function expectAxeClean(page: Page): Promise<void> {
  expect(
    (await axeViolations(page)).map(({ id, impact, targets }) => `${id} (${impact}): ${targets.join(', ')}`),
  ).toEqual([]);
}

test('the simulator sends "this is wrong, the right code is …" by keyboard; the label lands with source api', async () => {
  const { page, policyViolations } = await openPage(`${consoleServer.url}/models`);
  await page.getByLabel('Designation').fill('Piscine tubulaire ronde avec pompe et échelle');
  await page.getByRole('button', { name: 'Predict' }).click();
  await page.locator('#prediction-result').waitFor();
  const predictionId = await page.locator('input[name="prediction_id"]').inputValue();
  const predicted = Number(
    (await page.locator('#prediction-result p').first().textContent())?.match(/\((\d+)\)/)?.[1],
  );
  const rightCode = predicted === 1560 ? 2060 : 1560;

  // By keyboard: the select takes the code, Tab reaches the button, Enter sends.
  const select = page.getByLabel('This is wrong, the right code is');
  await select.focus();
  await select.selectOption(String(rightCode));
  await page.keyboard.press('Tab');
  expect(await page.evaluate('document.activeElement.textContent')).toBe('Send the right code');
  await page.keyboard.press('Enter');
  const answer = page.locator('#feedback-result');
  await answer.waitFor();
  expect(await answer.getAttribute('role')).toBe('status');
  expect(await answer.textContent()).toContain(`Sent: prediction ${predictionId} is labeled ${rightCode}`);
  const { rows } = await client.query(
    'select prdtypecode, source, labeled_by, predicted_code from prediction_feedback where prediction_id = $1',
    [predictionId],
  );
  expect(rows).toEqual([
    { prdtypecode: rightCode, source: 'api', labeled_by: 'console:alice', predicted_code: predicted },
  ]);
  await expectAxeClean(page);

  // A prediction the server never logged: its 422 is shown as a clear error, nothing is written.
  await page.goto(`${consoleServer.url}/models`);
  await page.getByRole('button', { name: 'Predict' }).click();
  await page.locator('#prediction-result').waitFor();
  const unknown = randomUUID();
  await page.evaluate(`document.querySelector('input[name="prediction_id"]').value = '${unknown}'`);
  await page.getByLabel('This is wrong, the right code is').selectOption('2583');
  await page.getByRole('button', { name: 'Send the right code' }).click();
  await page.locator('#feedback-result').waitFor();
  expect(await page.locator('#feedback-result').getAttribute('role')).toBe('alert');
  expect(await page.locator('#feedback-result').textContent()).toMatch(
    /The correction was not recorded: classifier answered 422: nothing of this request was written: no logged prediction has the id/,
  );
  await expectAxeClean(page);
  expect(policyViolations).toEqual([]);
  await page.close();
}, 120_000);

test('a user RBAC does not allow to label gets 403 and nothing reaches the model server', async () => {
  const user = { 'x-forwarded-user': 'mallory' };
  const form = await fetch(`${consoleServer.url}/models`, { headers: user });
  const cookie = (form.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())?.[1] ?? '';
  const before = await client.query('select count(*)::int as n from prediction_feedback');
  const response = await fetch(`${consoleServer.url}/models/feedback`, {
    method: 'POST',
    headers: { ...user, cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      _csrf: csrf,
      service: 'classifier',
      prediction_id: randomUUID(),
      prdtypecode: '2583',
    }).toString(),
  });
  expect(response.status).toBe(403);
  expect(await response.text()).toContain('mallory may not create predictionservices/feedback');
  expect((await client.query('select count(*)::int as n from prediction_feedback')).rows).toEqual(
    before.rows,
  );
}, 60_000);

test('the Quality page shows live vs offline accuracy, coverage, the confusion matrix and the terms behind errors; axe-clean', async () => {
  // Traffic from another synthetic catalog, labeled through POST /feedback with the true codes,
  // except that 30 predictions of pool products are labeled as indoor furniture (1560): the most
  // frequent confusion is then 2583 → 1560.
  const products = syntheticProducts(400, 71);
  const predictions: { prediction: Prediction; truth: number }[] = [];
  for (let start = 0; start < products.length; start += 100) {
    const batch = products.slice(start, start + 100);
    const answer = await postJson<{ predictions: Prediction[] }>(`${modelServer.url}/predict/batch`, {
      items: batch.map(({ designation, description }) => ({ designation, description })),
    });
    expect(answer.status).toBe(200);
    answer.body.predictions.forEach((prediction, index) => {
      predictions.push({ prediction, truth: (batch[index] as { prdtypecode: number }).prdtypecode });
    });
  }
  const pools = predictions.filter(({ prediction }) => prediction.prdtypecode === 2583).slice(0, 30);
  expect(pools.length).toBe(30);
  for (const pool of pools) pool.truth = 1560;
  const labeled = predictions
    .slice(0, 300)
    .concat(pools.filter((pool) => !predictions.slice(0, 300).includes(pool)));
  await feedback(
    labeled.map(({ prediction, truth }) => ({ prediction_id: prediction.prediction_id, prdtypecode: truth })),
  );
  const right = labeled.filter(({ prediction, truth }) => prediction.prdtypecode === truth).length;

  const { page, policyViolations } = await openPage(`${consoleServer.url}/quality?days=1`);
  const row = page.locator('section[aria-labelledby="live-versions"] tbody tr');
  expect(await row.count()).toBe(1);
  const cells = await row.locator('th, td').allTextContents();
  // The first test's two simulator predictions and its one label count here too.
  const served = predictions.length + 2;
  expect(cells[0]).toBe(`v${version}`);
  expect(cells[1]).toBe(served.toLocaleString('en-US'));
  expect(cells[2]).toBe(String(labeled.length + 1));
  expect(cells[3]).toBe(`${(((labeled.length + 1) / served) * 100).toFixed(1)}%`);
  expect(cells[5]).toBe('90.0%');
  const liveAccuracy = Number(cells[4]?.replace('%', '')) / 100;
  expect(Math.abs(liveAccuracy - right / (labeled.length + 1))).toBeLessThan(0.002);

  // The chart and its table alternative, reachable by keyboard.
  const chart = page.locator('svg.line-chart');
  expect(await chart.getAttribute('role')).toBe('img');
  expect(await chart.getAttribute('aria-label')).toMatch(
    /v\d+ live accuracy \(per hour\): \d+ points, last \d+%/,
  );
  const summary = page.locator('summary', { hasText: 'as a table' });
  await summary.focus();
  await page.keyboard.press('Enter');
  expect(await page.locator('#accuracy-table').isVisible()).toBe(true);
  expect(await page.locator('#accuracy-table tbody tr').count()).toBeGreaterThan(0);

  // The confusion matrix: the pool row labeled 1560 predicted 2583 holds at least the 30 relabeled.
  const furnitureRow = page.locator('table.confusion tbody tr', { hasText: '1560 Mobilier intérieur' });
  const columns = await page.locator('table.confusion thead th').allTextContents();
  const furnitureCells = await furnitureRow.locator('th, td').allTextContents();
  expect(Number(furnitureCells[columns.indexOf('2583')])).toBeGreaterThanOrEqual(30);

  // Terms behind the most frequent error, explained by the served bundle on at most 50 logged texts.
  const first = page.locator('#error-terms tbody tr').first();
  const firstCells = await first.locator('th, td').allTextContents();
  expect(firstCells[0]).toBe('2583 Piscine et accessoires');
  expect(firstCells[1]).toBe('1560 Mobilier intérieur');
  expect(Number(firstCells[3])).toBeGreaterThanOrEqual(30);
  expect(Number(firstCells[3])).toBeLessThanOrEqual(50);
  expect(await first.locator('ul.error-terms li').count()).toBeGreaterThan(0);
  expect(await first.locator('ul.error-terms li').first().textContent()).toMatch(
    /^\S.* \+\d+\.\d\d \(\d+\)$/,
  );

  // The version chooser and the 7-day window (one point per day) by keyboard.
  await page.screenshot({ path: path.join(screenshots, 'quality.png'), fullPage: true });
  await expectAxeClean(page);
  await page.locator('select[name="days"]').selectOption('7');
  await page.getByRole('button', { name: 'Show' }).press('Enter');
  await page.waitForURL(/days=7/);
  expect(await page.locator('svg.line-chart').getAttribute('aria-label')).toMatch(/per day\): \d+ points/);
  expect(await page.locator('table.confusion caption').textContent()).toContain(`v${version}'s predictions`);
  await expectAxeClean(page);
  expect(policyViolations).toEqual([]);
  await page.close();
}, 180_000);
