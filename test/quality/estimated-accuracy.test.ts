import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { CatalogRow } from '@prodclass/catalog/catalog-row';
import type { LiveQuality, QualityReport } from '@prodclass/catalog/quality/live-quality';
import { generateSyntheticCatalog } from '@prodclass/catalog/synthetic/generator';
import { encodeModelBundle } from '@prodclass/textmodel/bundle/model-bundle';
import { calibrateHeldOut } from '@prodclass/textmodel/calibration/calibrate-held-out';
import { defaultTfidfSettings } from '@prodclass/textmodel/features/tfidf-vectorizer';
import { defaultLogisticRegressionSettings } from '@prodclass/textmodel/model/logistic-regression';
import { TextClassifier } from '@prodclass/textmodel/model/text-classifier';
import { defaultTextSettings } from '@prodclass/textmodel/text/product-text';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type Prediction, postJson, waitUntilReady } from '../model-server/support/server.js';
import { spawnServer } from '../model-server/support/server-process.js';
import { runCli } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/**
 * Confidence-based performance estimation end to end (docs/quality.md): a model fitted on the
 * synthetic catalog and calibrated on its held-out part, as `prodclass train` does, serves
 * generated traffic through the real model server into PostgreSQL; every prediction is labeled
 * through POST /feedback/batch, and `prodclass quality report` puts the accuracy estimated from
 * the served confidences beside the realized one.
 */

const feedbackToken = 'estimated-accuracy-feedback-token';
/** The four classes of the books family in the synthetic catalog. */
const bookCodes = new Set([10, 2280, 2403, 2705]);
let database: TestDatabase;
let bundleDirectory: string;
let bundle: Buffer;
let calibrated: TextClassifier;

beforeAll(async () => {
  database = await createTestDatabase();
  const catalog = [...generateSyntheticCatalog({ rows: 8_000, seed: 5 })];
  const [train, heldOut] = [catalog.slice(0, 6_000), catalog.slice(6_000)];
  const { classifier, report } = await TextClassifier.fit(train, {
    text: defaultTextSettings,
    tfidf: defaultTfidfSettings,
    logisticRegression: { ...defaultLogisticRegressionSettings, maxIter: 100 },
    seed: 5,
  });
  const { calibration } = calibrateHeldOut(
    classifier.predictProba(heldOut),
    classifier.classes,
    heldOut.map((product) => product.prdtypecode),
  );
  calibrated = classifier.withCalibration(calibration);
  bundle = encodeModelBundle(calibrated, {
    rows: report.rows,
    iterations: report.iterations,
    converged: report.converged,
    loss: report.loss,
    source: 'synthetic catalog, seed 5',
  });
  bundleDirectory = await fs.mkdtemp(path.join(os.tmpdir(), 'prodclass-estimated-accuracy-'));
}, 180_000);

afterAll(async () => {
  await database?.drop();
  if (bundleDirectory) await fs.rm(bundleDirectory, { recursive: true, force: true });
});

/** Words the model never saw: each word of the text spelled backwards. */
const reworded = (text: string) =>
  text
    .split(' ')
    .map((word) => [...word].reverse().join(''))
    .join(' ');

/**
 * Serves `traffic` as model `modelName` through a model-server process, labels every prediction
 * with its product's true code through /feedback/batch, and returns the quality report's row.
 */
async function serveAndLabel(modelName: string, traffic: readonly CatalogRow[]): Promise<LiveQuality> {
  const file = path.join(bundleDirectory, modelName);
  await fs.writeFile(file, bundle);
  const server = await spawnServer({
    MODEL_URI: file,
    DATABASE_URL: database.url,
    FEEDBACK_TOKEN: feedbackToken,
  });
  try {
    await waitUntilReady(server.url);
    const labels: { prediction_id: string; prdtypecode: number; labeled_by: string }[] = [];
    for (let start = 0; start < traffic.length; start += 100) {
      const items = traffic.slice(start, start + 100);
      const answer = await postJson<{ predictions: Prediction[] }>(`${server.url}/predict/batch`, {
        items: items.map(({ designation, description }) => ({ designation, description })),
      });
      expect(answer.status).toBe(200);
      answer.body.predictions.forEach((prediction, index) => {
        labels.push({
          prediction_id: prediction.prediction_id,
          prdtypecode: (items[index] as CatalogRow).prdtypecode,
          labeled_by: 'test:estimated-accuracy',
        });
      });
    }
    for (let start = 0; start < labels.length; start += 1_000) {
      const response = await fetch(`${server.url}/feedback/batch`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${feedbackToken}` },
        body: JSON.stringify({ items: labels.slice(start, start + 1_000) }),
      });
      expect(response.status, await response.clone().text()).toBe(200);
    }
  } finally {
    server.child.kill('SIGTERM');
    await server.exited;
  }
  const result = await runCli(
    [
      'quality',
      'report',
      '--model',
      modelName,
      '--window',
      '3h',
      '--to',
      new Date(Date.now() + 3_600_000).toISOString(),
      '--json',
    ],
    { DATABASE_URL: database.url },
  );
  expect(result.code, result.stderr).toBe(0);
  const [quality] = (JSON.parse(result.stdout) as QualityReport).versions;
  if (!quality) throw new Error(`the quality report has no version of ${modelName}`);
  expect(quality.served).toBe(traffic.length);
  expect(quality.coverage).toBe(1);
  return quality;
}

/** The mean of the calibrated top probabilities, computed in this process. */
function meanConfidence(traffic: readonly CatalogRow[]): number {
  const ranked = calibrated.predictTopK(traffic, 1);
  return ranked.reduce((sum, [top]) => sum + (top?.probability ?? 0), 0) / traffic.length;
}

const fresh = [...generateSyntheticCatalog({ rows: 4_000, seed: 99 })];
let steady: LiveQuality;

test('without a shift, the estimated accuracy is within 0.03 of the realized one', async () => {
  steady = await serveAndLabel('no-shift.bundle', fresh);
  expect(steady.accuracy).toBeGreaterThan(0.75);
  expect(Math.abs(steady.estimatedAccuracy - (steady.accuracy as number))).toBeLessThanOrEqual(0.03);
  // The served confidences are the bundle's calibrated probabilities (stored as float4).
  expect(steady.estimatedAccuracy).toBeCloseTo(meanConfidence(fresh), 5);
}, 300_000);

test('with the books re-worded (words the model never saw), accuracy falls and the estimate follows within 0.03', async () => {
  const shifted = fresh.map((product) =>
    bookCodes.has(product.prdtypecode)
      ? {
          ...product,
          designation: reworded(product.designation),
          description: product.description === null ? null : reworded(product.description),
        }
      : product,
  );
  const quality = await serveAndLabel('books-reworded.bundle', shifted);
  const realized = quality.accuracy as number;
  expect(realized).toBeLessThan((steady.accuracy as number) - 0.08);
  expect(quality.estimatedAccuracy).toBeLessThan(steady.estimatedAccuracy - 0.08);
  expect(Math.abs(quality.estimatedAccuracy - realized)).toBeLessThanOrEqual(0.03);
}, 300_000);
