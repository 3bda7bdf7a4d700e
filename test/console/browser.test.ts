import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { registryPromote } from '../../operator/src/external/registry-promotion.js';
import type { RunningOperator } from '../../operator/src/operator.js';
import type { LocalRunner } from '../../stack/local-runner/runner.js';
import { applyCrds, createNamespace, deleteNamespace } from '../operator/support/cluster.js';
import {
  createPipelineSecret,
  operatorSettings,
  Resources,
  repository,
  runLocalRunner,
  runOperator,
} from '../operator/support/harness.js';
import { stackEnv } from '../support/stack-env.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { axeViolations, type Chromium, launchChromium } from './support/chromium.js';
import { allowActions, type RunningConsole, startConsole } from './support/console.js';

// The console in Debian's headless Chromium, on the local stack with the operator and the local
// runner: every page opened, checked with axe-core and photographed; a DataIncrement and
// TrainingRuns applied from the forms reach Succeeded on the open page (server-sent events, no
// reload); promotion, rollback, a refused rejected version, the simulator, and a denied user.
const screenshots = path.join(repository, '.local/console-screenshots');
const suffix = randomBytes(4).toString('hex');
const registeredModel = `console_e2e_${suffix}`;
let namespace: string;
let database: TestDatabase;
let operator: RunningOperator;
let runner: LocalRunner;
let resources: Resources;
let consoleServer: RunningConsole;
let browser: BrowserContext;
let chromium: Chromium | undefined;
const policyViolations: string[] = [];

beforeAll(async () => {
  await applyCrds();
  namespace = await createNamespace('console-e2e');
  database = await createTestDatabase();
  await createPipelineSecret(namespace, database.url);
  await allowActions(namespace, 'alice');
  resources = new Resources(namespace);
  operator = await runOperator(
    operatorSettings(namespace, database.url),
    registryPromote(database.url, stackEnv().MLFLOW_TRACKING_URI),
  );
  runner = await runLocalRunner(namespace);
  consoleServer = await startConsole(namespace, database.url, { registeredModel });
  fs.mkdirSync(screenshots, { recursive: true });
  chromium = await launchChromium('console-chromium-');
  browser = chromium.browser;
}, 180_000);

afterAll(async () => {
  await chromium?.close();
  await consoleServer?.close();
  await runner?.stop();
  await operator?.stop();
  await deleteNamespace(namespace);
  await database?.drop();
});

/** axe-core's serious and critical violations of the page, as `rule: targets` lines. */
async function seriousViolations(page: Page): Promise<string[]> {
  const violations = await axeViolations(page);
  return violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => `${violation.id}: ${violation.targets.join(', ')}`);
}

async function openPage(pathName: string): Promise<Page> {
  const page = await browser.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy/i.test(message.text()))
      policyViolations.push(message.text());
  });
  await page.goto(`${consoleServer.url}${pathName}`);
  await page.waitForSelector('#live-status:text("live")');
  return page;
}

async function photograph(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(screenshots, `${name}.png`), fullPage: true });
  expect(await seriousViolations(page), `axe on ${name}`).toEqual([]);
}

/** Marks the page so that a reload (which would drop the mark) is detected. */
async function markPage(page: Page): Promise<void> {
  await page.evaluate(`document.body.dataset.testMark = 'kept'`);
}

async function stillTheSamePage(page: Page): Promise<void> {
  expect(await page.evaluate('document.body.dataset.testMark')).toBe('kept');
}

/** The text of the first element the locator finds ('' when none yet). */
async function textOf(locator: Locator): Promise<string> {
  return (
    (
      await locator
        .first()
        .textContent({ timeout: 1_000 })
        .catch(() => '')
    )?.trim() ?? ''
  );
}

function appliedName(page: Page, kind: string): string {
  const match = new RegExp(`applied=${kind}/([a-z0-9-]+)`).exec(page.url());
  if (!match?.[1]) throw new Error(`no ${kind} was applied: ${page.url()}`);
  return match[1];
}

async function submitTraining(
  page: Page,
  form: { maxFeatures: string; minF1: string; autoPromote: boolean },
): Promise<string> {
  await page.getByLabel('Max features').fill(form.maxFeatures);
  await page.getByLabel('Minimum weighted F1').fill(form.minF1);
  await page.getByLabel('Promote automatically').setChecked(form.autoPromote);
  await Promise.all([
    page.waitForURL(/applied=TrainingRun/),
    page.getByRole('button', { name: 'Train' }).click(),
  ]);
  return appliedName(page, 'TrainingRun');
}

const versions = { promoted: '', rejected: '', undecided: '' };

test('Data: the +3% button applies a DataIncrement that reaches Succeeded on the open page', async () => {
  await resources.create('DataIncrement', 'dataincrements', 'initial', {
    source: { synthetic: { rows: 3000, seed: 11 } },
    toPercent: 40,
  });
  await resources.until('dataincrements', 'initial', (o) => o.status?.phase === 'Succeeded', 180_000);
  await resources.create('PredictionService', 'predictionservices', 'classifier', { registeredModel });

  const page = await openPage('/data');
  await expect.poll(() => textOf(page.locator('.cards'))).toContain('40%');
  await expect.poll(() => textOf(page.locator('svg.chart title'))).toContain('Products per class');
  await Promise.all([
    page.waitForURL(/applied=DataIncrement/),
    page.getByRole('button', { name: 'Load the next +3%' }).click(),
  ]);
  const name = appliedName(page, 'DataIncrement');
  await markPage(page);
  const row = page.locator(`tr[data-key="DataIncrement/${name}"]`);
  await row.locator('.phase-succeeded').waitFor({ timeout: 180_000 });
  await expect.poll(() => textOf(row)).toContain('43%');
  await stillTheSamePage(page);
  await page.reload();
  await expect.poll(() => textOf(page.locator('.cards'))).toContain('43%');
  await photograph(page, 'data');
  await page.close();
}, 400_000);

test('Training: runs applied from the form reach Succeeded live, with metrics and MLflow artifacts', async () => {
  const page = await openPage('/training');
  const promoted = await submitTraining(page, { maxFeatures: '3000', minF1: '0.2', autoPromote: true });
  await markPage(page);
  await page.locator(`tr[data-key="TrainingRun/${promoted}"] .phase-succeeded`).waitFor({ timeout: 400_000 });
  const rejected = await submitTraining(page, { maxFeatures: '300', minF1: '0.99', autoPromote: true });
  const undecided = await submitTraining(page, { maxFeatures: '1500', minF1: '0.2', autoPromote: false });
  await markPage(page);
  for (const name of [rejected, undecided])
    await page.locator(`tr[data-key="TrainingRun/${name}"] .phase-succeeded`).waitFor({ timeout: 400_000 });
  await stillTheSamePage(page);
  await expect.poll(() => textOf(page.locator(`tr[data-key="TrainingRun/${rejected}"]`))).toContain('reject');

  const first = await resources.until(
    'trainingruns',
    promoted,
    (o) => Resources.condition(o, 'Promoted')?.status === 'True',
  );
  versions.promoted = first.status.modelVersion;
  versions.rejected = (await resources.get('trainingruns', rejected)).status.modelVersion;
  versions.undecided = (await resources.get('trainingruns', undecided)).status.modelVersion;
  await photograph(page, 'training');

  await page.getByRole('link', { name: promoted }).click();
  await expect.poll(() => textOf(page.locator('h1'))).toBe(`TrainingRun ${promoted}`);
  const confusion = page.getByAltText(/Confusion matrix/);
  await confusion.waitFor();
  await expect
    .poll(() =>
      page.evaluate(
        `(() => { const image = document.querySelector('img[alt^="Confusion matrix"]'); return image.complete && image.naturalWidth > 0; })()`,
      ),
    )
    .toBe(true);
  await expect.poll(() => textOf(page.locator('table.compact').nth(1))).toContain('F1 (weighted)');
  expect(await page.getByRole('link', { name: 'open the run in MLflow' }).getAttribute('href')).toMatch(
    new RegExp(`^${stackEnv().MLFLOW_TRACKING_URI}/#/experiments/\\d+/runs/[0-9a-f]{32}$`),
  );
  await photograph(page, 'training-run');
  await page.close();
}, 900_000);

test('Models: promote, roll back, a rejected version refused with the operator’s reason, the simulator', async () => {
  const page = await openPage('/models');
  await expect.poll(() => textOf(page.locator('.alias'))).toBe('@production');
  await markPage(page);

  const promote = async (version: string) => {
    await page.getByLabel('Version').selectOption(version);
    await Promise.all([
      page.waitForURL(/applied=ModelPromotion/),
      page.getByRole('button', { name: 'Promote' }).click(),
    ]);
    return appliedName(page, 'ModelPromotion');
  };
  const up = await promote(versions.undecided);
  await markPage(page);
  await page.locator(`tr[data-key="ModelPromotion/${up}"] .phase-succeeded`).waitFor({ timeout: 60_000 });
  await stillTheSamePage(page);

  await page.reload();
  await Promise.all([
    page.waitForURL(/applied=ModelPromotion/),
    page.getByRole('button', { name: `Roll back to v${versions.promoted}` }).click(),
  ]);
  const back = appliedName(page, 'ModelPromotion');
  await page.locator(`tr[data-key="ModelPromotion/${back}"] .phase-succeeded`).waitFor({ timeout: 60_000 });
  const refused = await promote(versions.rejected);
  const refusedRow = page.locator(`tr[data-key="ModelPromotion/${refused}"]`);
  await refusedRow.locator('.phase-failed').waitFor({ timeout: 60_000 });
  await expect.poll(() => textOf(refusedRow)).toContain('VersionRejected');
  await page.reload();
  await page.getByRole('row', { name: new RegExp(`^v${versions.promoted} @production`) }).waitFor();

  await resources.until(
    'predictionservices',
    'classifier',
    (o) => Resources.condition(o, 'Ready')?.status === 'True' && o.status.servedVersion === versions.promoted,
    240_000,
  );
  await page.getByLabel('Example').selectOption('2');
  expect(await page.getByLabel('Designation').inputValue()).toBe('Figurine Star Wars Dark Vador 30 cm');
  await page.getByRole('button', { name: 'Predict' }).click();
  const result = page.locator('#prediction-result');
  await result.waitFor();
  await expect.poll(() => textOf(result)).toContain(`${registeredModel} v${versions.promoted}`);
  expect(await result.locator('svg rect').count()).toBe(5);
  // The champion's learned terms, one captioned table per class (in the axe check below).
  expect(await page.locator('.learned-terms table caption').count()).toBeGreaterThan(1);
  await photograph(page, 'models');
  await page.close();
}, 600_000);

test('Monitoring: PredictionServices with tracks and readiness, traffic, drift', async () => {
  const page = await openPage('/monitoring');
  const row = page.locator('tr[data-key="PredictionService/classifier"]');
  await expect.poll(() => textOf(row)).toContain(`@production → v${versions.promoted}`);
  await row.locator('.phase-ready').waitFor();
  expect(await textOf(page.locator('#traffic-rows'))).not.toBe('');
  await page.getByRole('heading', { name: 'Drift' }).waitFor();
  await photograph(page, 'monitoring');
  await page.close();
});

test('a user RBAC does not allow to promote gets 403', async () => {
  const page = await browser.newPage();
  await page.setExtraHTTPHeaders({ 'x-forwarded-user': 'bob' });
  await page.goto(`${consoleServer.url}/models`);
  const [response] = await Promise.all([
    page.waitForResponse((candidate) => candidate.url().endsWith('/actions/model-promotion')),
    page.getByRole('button', { name: 'Promote' }).click(),
  ]);
  expect(response.status()).toBe(403);
  await expect.poll(() => textOf(page.locator('h1'))).toBe('Not allowed');
  await expect
    .poll(() => textOf(page.getByRole('alert')))
    .toContain(`bob may not create modelpromotions in namespace ${namespace}`);
  await page.screenshot({ path: path.join(screenshots, 'denied.png'), fullPage: true });
  await page.close();
  expect(policyViolations).toEqual([]);
});
