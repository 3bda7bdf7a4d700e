import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { modelPromotionType } from '../../operator/src/resources/types.js';
import { applyCrds, createNamespace, deleteNamespace } from '../operator/support/cluster.js';
import { Resources } from '../operator/support/harness.js';
import { recordTraining } from '../operator/support/mlflow.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { axeViolations, type Chromium, launchChromium } from './support/chromium.js';
import { type RunningConsole, startConsole } from './support/console.js';

// The Models page shows a ModelPromotion's recorded impact preview as a matrix, in Chromium, with
// axe-core. The status is written here as the operator would after the preview Job.
const suffix = randomBytes(4).toString('hex');
const registeredModel = `console_impact_${suffix}`;
let namespace: string;
let database: TestDatabase;
let consoleServer: RunningConsole;
let chromium: Chromium | undefined;

beforeAll(async () => {
  await applyCrds();
  namespace = await createNamespace('console-impact');
  database = await createTestDatabase();
  for (const trainingRun of ['a', 'b'])
    await recordTraining({ experiment: registeredModel, registeredModel, trainingRun, f1: 0.7 });
  const resources = new Resources(namespace);
  const created = await resources.create('ModelPromotion', 'modelpromotions', 'to-v2', {
    registeredModel,
    version: 2,
    impactPreview: true,
  });
  await resources.api.mergePatch(
    modelPromotionType,
    namespace,
    'to-v2',
    {
      metadata: { resourceVersion: (created.metadata as { resourceVersion: string }).resourceVersion },
      status: {
        phase: 'Succeeded',
        impactPreview: {
          jobName: 'to-v2-impact',
          championVersion: '1',
          candidateVersion: '2',
          dataVersion: 'week_3',
          products: 1000,
          changed: 125,
          changedShare: 0.125,
          flips: [
            { from: 10, to: 40, count: 100 },
            { from: 2583, to: 40, count: 20 },
            { from: 10, to: 1560, count: 5 },
          ],
        },
      },
    },
    'status',
  );
  consoleServer = await startConsole(namespace, database.url, { registeredModel });
  chromium = await launchChromium('console-impact-');
}, 120_000);

afterAll(async () => {
  await chromium?.close();
  await consoleServer?.close();
  if (namespace) await deleteNamespace(namespace);
  await database?.drop();
});

test('the impact preview is a matrix: champion classes by row, candidate classes by column', {
  timeout: 120_000,
}, async () => {
  const page = await chromium?.browser.newPage();
  if (!page) throw new Error('no browser');
  await page.goto(`${consoleServer.url}/models`);
  const matrix = page.getByRole('table', {
    name: /to-v2: 12\.5% of 1000 products of week_3 would change class/,
  });
  await matrix.waitFor();
  const headers = await matrix.locator('thead th').allTextContents();
  expect(headers).toHaveLength(3);
  expect(headers[1]).toMatch(/\(40\)$/);
  expect(headers[2]).toMatch(/\(1560\)$/);
  const rows = await matrix
    .locator('tbody tr')
    .evaluateAll((trs) =>
      trs.map((tr) =>
        Array.from(
          (tr as unknown as { children: ArrayLike<{ textContent: string | null }> }).children,
          (cell) => cell.textContent,
        ),
      ),
    );
  expect(rows.map((row) => row.slice(1))).toEqual([
    ['100', '5'],
    ['20', ''],
  ]);
  expect(rows.map((row) => row[0])).toEqual([
    expect.stringMatching(/\(10\)$/),
    expect.stringMatching(/\(2583\)$/),
  ]);
  const serious = (await axeViolations(page))
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => `${violation.id}: ${violation.targets.join(', ')}`);
  expect(serious).toEqual([]);
  await page.close();
});
