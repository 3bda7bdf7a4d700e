import fs from 'node:fs';
import path from 'node:path';
import * as k8s from '@kubernetes/client-node';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { writeTestBundle } from '../model-server/support/bundle.js';
import { type RunningServer, startServer, waitUntilReady } from '../model-server/support/server.js';
import { adminConfig, applyCrds, createNamespace, deleteNamespace } from '../operator/support/cluster.js';
import { Resources, repository } from '../operator/support/harness.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { axeViolations, type Chromium, launchChromium } from './support/chromium.js';
import { type RunningConsole, startConsole } from './support/console.js';

// The prediction simulator's explanation in Debian's headless Chromium: a real model server
// behind a PredictionService (reached as the local runner's Service annotation says), the input's
// words marked by contribution, reachable by keyboard, axe-core clean, no CSP violation.
const screenshots = path.join(repository, '.local/console-screenshots');
let namespace: string;
let database: TestDatabase;
let modelServer: RunningServer;
let consoleServer: RunningConsole;
let browser: BrowserContext;
let chromium: Chromium | undefined;
const policyViolations: string[] = [];

beforeAll(async () => {
  await applyCrds();
  namespace = await createNamespace('console-simulator');
  database = await createTestDatabase();
  modelServer = await startServer({ MODEL_URI: await writeTestBundle('simulator', 44) });
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
  consoleServer = await startConsole(namespace, database.url);
  fs.mkdirSync(screenshots, { recursive: true });
  chromium = await launchChromium('console-simulator-chromium-');
  browser = chromium.browser;
}, 180_000);

afterAll(async () => {
  await chromium?.close();
  await consoleServer?.close();
  await modelServer?.close();
  if (namespace) await deleteNamespace(namespace);
  await database?.drop();
});

test('the simulator marks the input’s words by contribution, with a legend, by keyboard, axe-clean', async () => {
  const page = await browser.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy/i.test(message.text()))
      policyViolations.push(message.text());
  });
  await page.goto(`${consoleServer.url}/models`);
  await page.getByLabel('Example').selectOption('0');
  await page.getByLabel('Designation').fill('Piscine tubulaire ronde avec pompe, bâche et échelle');
  await page.getByLabel('Description').fill('Livre de jardin offert. Filtration à cartouche incluse.');
  await page.getByRole('button', { name: 'Predict' }).click();
  const result = page.locator('#prediction-result');
  await result.waitFor();

  const marks = page.locator('.highlighted mark');
  await expect.poll(() => marks.count()).toBeGreaterThan(2);
  const classes = await marks.evaluateAll((elements) => elements.map((element) => element.className));
  for (const name of classes) expect(name).toMatch(/^word-(up|down)-[123]$/);
  expect(classes).toContain('word-up-3');
  expect(await page.locator('.legend li').count()).toBe(4);
  expect(await page.locator('.contributions table tbody tr').count()).toBeGreaterThan(0);
  // Nothing styled inline: the page's strict CSP would refuse it.
  expect(await page.locator('.contributions [style]').count()).toBe(0);

  // Tab from the Predict button reaches the first marked word, which says its contribution.
  await page.getByRole('button', { name: 'Predict' }).focus();
  let focused = '';
  for (let press = 0; press < 40 && focused !== 'MARK'; press++) {
    await page.keyboard.press('Tab');
    focused = (await page.evaluate('document.activeElement.tagName')) as string;
  }
  expect(focused).toBe('MARK');
  expect(await page.evaluate('document.activeElement.textContent')).toMatch(
    /\((\+|−)\d+\.\d\d (towards|away from) /,
  );

  await page.screenshot({ path: path.join(screenshots, 'simulator-explanation.png'), fullPage: true });
  expect(
    (await axeViolations(page)).map(({ id, impact, targets }) => `${id} (${impact}): ${targets.join(', ')}`),
  ).toEqual([]);
  expect(policyViolations).toEqual([]);
  await page.close();
}, 120_000);
