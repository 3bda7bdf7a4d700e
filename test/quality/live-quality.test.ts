import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { LiveQuality, QualityReport } from '@prodclass/catalog/quality/live-quality';
import { productClasses } from '@prodclass/textmodel/classes';
import { SeededRandom } from '@prodclass/textmodel/sampling/random';
import type pg from 'pg';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { runCli } from '../support/cli.js';
import { runPythonCheck } from '../support/python.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const minute = 60_000;
const to = new Date('2026-11-30T00:00:00Z');
const from = new Date(to.getTime() - 7 * 24 * 60 * minute);
let database: TestDatabase;
let client: pg.Client;
let env: Record<string, string>;

interface Logged {
  id: string;
  version: string;
  predictedAt: Date;
  predicted: number;
  /** The served confidence; 0.5 when not given. */
  confidence?: number;
  /** The label, if the prediction has one. */
  truth?: number;
  labeledAt?: Date;
}

/** Writes predictions and their labels (source cli) straight into the two tables. */
async function write(predictions: Logged[]): Promise<void> {
  await client.query(
    `insert into inference_log (prediction_id, predicted_at, model_name, model_version, prdtypecode, confidence,
       text_length, designation)
     select id, at, 'rakuten_classifier', version, code, confidence, 10, 'generated'
     from unnest($1::uuid[], $2::timestamptz[], $3::text[], $4::integer[], $5::real[])
       as p(id, at, version, code, confidence)`,
    [
      predictions.map((p) => p.id),
      predictions.map((p) => p.predictedAt),
      predictions.map((p) => p.version),
      predictions.map((p) => p.predicted),
      predictions.map((p) => p.confidence ?? 0.5),
    ],
  );
  const labeled = predictions.filter((p) => p.truth !== undefined);
  await client.query(
    `insert into prediction_feedback (prediction_id, model_name, model_version, predicted_at, predicted_code,
       prdtypecode, source, labeled_at, labeled_by)
     select id, 'rakuten_classifier', version, at, predicted, truth, 'cli', labeled_at, 'generated'
     from unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::integer[], $5::integer[], $6::timestamptz[])
       as l(id, version, at, predicted, truth, labeled_at)`,
    [
      labeled.map((p) => p.id),
      labeled.map((p) => p.version),
      labeled.map((p) => p.predictedAt),
      labeled.map((p) => p.predicted),
      labeled.map((p) => p.truth),
      labeled.map((p) => p.labeledAt),
    ],
  );
}

const uuid = (n: number) => `00000000-0000-7000-8000-${n.toString(16).padStart(12, '0')}`;

/**
 * Version "2": 6,000 predictions in the window, 40% labeled, about 70% right, the wrong ones
 * spread over the 27 classes, lags up to two days; more predictions of it before and after
 * the window, which must not count.
 */
function generated(): Logged[] {
  const random = new SeededRandom(7);
  const codes = productClasses.map((productClass) => productClass.code);
  const pick = () => codes[Math.floor(random.next() * codes.length)] as number;
  const span = to.getTime() - from.getTime();
  return Array.from({ length: 8_000 }, (_, index) => {
    const outside = index >= 6_000;
    const predictedAt = new Date(
      outside
        ? (index % 2 ? to.getTime() : from.getTime() - span) + Math.floor(random.next() * span)
        : from.getTime() + Math.floor(random.next() * span),
    );
    const predicted = pick();
    if (random.next() >= 0.4) return { id: uuid(index + 1), version: '2', predictedAt, predicted };
    return {
      id: uuid(index + 1),
      version: '2',
      predictedAt,
      predicted,
      truth: random.next() < 0.7 ? predicted : pick(),
      labeledAt: new Date(predictedAt.getTime() + Math.floor(random.next() * 2 * 24 * 60 * minute)),
    };
  });
}

/** Version "hand": eight predictions, four labeled; the expected numbers are worked out below. */
function byHand(): Logged[] {
  const at = new Date(from.getTime() + 60 * minute);
  const confidences = [0.9, 0.6, 0.8, 0.3, 0.5, 0.7, 0.4, 0.2];
  const labeled = [
    [10, 10, 10],
    [10, 40, 20],
    [40, 40, 30],
    [50, 40, 40],
  ] as const;
  return [
    ...labeled.map(([predicted, truth, lagMinutes], index) => ({
      id: uuid(100_000 + index),
      version: 'hand',
      predictedAt: at,
      predicted,
      confidence: confidences[index] as number,
      truth,
      labeledAt: new Date(at.getTime() + lagMinutes * minute),
    })),
    ...[10, 10, 40, 2583].map((predicted, index) => ({
      id: uuid(100_010 + index),
      version: 'hand',
      predictedAt: at,
      predicted,
      confidence: confidences[4 + index] as number,
    })),
  ];
}

let traffic: Logged[];

beforeAll(async () => {
  database = await createTestDatabase();
  client = await database.connect();
  env = { DATABASE_URL: database.url };
  traffic = [...generated(), ...byHand()];
  await write(traffic);
  // Version "unlabeled" served in the window but has no label yet.
  await write([
    {
      id: uuid(200_000),
      version: 'unlabeled',
      predictedAt: new Date(from.getTime() + minute),
      predicted: 10,
    },
  ]);
});

afterAll(async () => database?.drop());

async function report(): Promise<QualityReport> {
  const result = await runCli(
    [
      'quality',
      'report',
      '--model',
      'rakuten_classifier',
      '--window',
      '7d',
      '--to',
      to.toISOString(),
      '--json',
    ],
    env,
  );
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as QualityReport;
}

function version(quality: QualityReport, name: string): LiveQuality {
  const found = quality.versions.find((entry) => entry.modelVersion === name);
  if (!found) throw new Error(`no version ${name} in the report`);
  return found;
}

test('quality report --json: the numbers of a small case worked out by hand', async () => {
  const quality = await report();
  expect(quality.versions.map((entry) => entry.modelVersion)).toEqual(['2', 'hand', 'unlabeled']);
  // Predicted 10,10,40,50 for truths 10,40,40,40: 2 of 4 right. Class 10: 1 hit, support 1,
  // predicted twice: F1 2·1/(1+2) = 2/3. Class 40: 1 hit, support 3, predicted once: F1 2·1/(3+1)
  // = 1/2. Weighted by support: (1·2/3 + 3·1/2)/4 = 13/24. Lags 10, 20, 30, 40 minutes: lower
  // median 20 minutes, reported to within 0.5% (the middle of its 1% bucket). Estimated accuracy:
  // the mean confidence of all eight, labeled or not: 4.4 / 8.
  const hand = version(quality, 'hand');
  expect(hand.estimatedAccuracy).toBeCloseTo(0.55, 6);
  expect(hand).toMatchObject({
    modelName: 'rakuten_classifier',
    served: 8,
    labeled: 4,
    coverage: 0.5,
    accuracy: 0.5,
  });
  expect(hand.weightedF1).toBeCloseTo(13 / 24, 12);
  expect(hand.recall).toEqual({ '10': 1, '40': expect.closeTo(1 / 3, 12) });
  expect(Math.abs((hand.labelLagP50Seconds as number) / (20 * 60) - 1)).toBeLessThan(0.005);
  expect(version(quality, 'unlabeled')).toEqual({
    modelName: 'rakuten_classifier',
    modelVersion: 'unlabeled',
    served: 1,
    labeled: 0,
    coverage: 0,
    accuracy: null,
    estimatedAccuracy: 0.5,
    weightedF1: null,
    recall: {},
    labelLagP50Seconds: null,
  });
});

test('quality report --json agrees with scikit-learn (accuracy_score, f1_score weighted, recall_score per class) and numpy (lower median lag)', async () => {
  const quality = await report();
  const inWindow = traffic.filter((p) => p.version === '2' && p.predictedAt >= from && p.predictedAt < to);
  const labeled = inWindow.filter((p) => p.truth !== undefined);
  const directory = await fs.mkdtemp(path.join(os.tmpdir(), 'prodclass-live-quality-'));
  const input = path.join(directory, 'labeled.json');
  await fs.writeFile(
    input,
    JSON.stringify({
      '2': {
        served: inWindow.length,
        y_true: labeled.map((p) => p.truth),
        y_pred: labeled.map((p) => p.predicted),
        lag_seconds: labeled.map((p) => ((p.labeledAt as Date).getTime() - p.predictedAt.getTime()) / 1000),
      },
    }),
  );
  const sklearn = (
    await runPythonCheck<
      Record<
        string,
        {
          coverage: number;
          accuracy: number;
          weighted_f1: number;
          recall: Record<string, number>;
          lag_p50: number;
        }
      >
    >('quality/sklearn_quality.py', [input])
  )['2'];
  await fs.rm(directory, { recursive: true, force: true });
  if (!sklearn) throw new Error('scikit-learn returned no version 2');

  const live = version(quality, '2');
  expect(live.served).toBe(inWindow.length);
  expect(live.labeled).toBe(labeled.length);
  expect(live.coverage).toBeCloseTo(sklearn.coverage, 12);
  expect(live.accuracy).toBeCloseTo(sklearn.accuracy, 12);
  expect(live.weightedF1).toBeCloseTo(sklearn.weighted_f1, 12);
  expect(Object.keys(live.recall).sort()).toEqual(Object.keys(sklearn.recall).sort());
  for (const [code, recall] of Object.entries(sklearn.recall))
    expect(live.recall[code]).toBeCloseTo(recall, 12);
  expect(Math.abs((live.labelLagP50Seconds as number) / sklearn.lag_p50 - 1)).toBeLessThan(0.005);
  // The generator's accuracy is about 0.7 + 0.3/27.
  expect(live.accuracy).toBeGreaterThan(0.65);
});

test('quality report --prometheus prints the gauges per version; the text summary lists every version', async () => {
  const args = ['quality', 'report', '--window', '7d', '--to', to.toISOString()];
  const prometheus = await runCli([...args, '--prometheus', '--service', 'classifier'], env);
  expect(prometheus.code, prometheus.stderr).toBe(0);
  expect(prometheus.stdout).toContain(
    'prodclass_live_accuracy{service="classifier",model_version="hand"} 0.5\n',
  );
  expect(prometheus.stdout).toContain(
    'prodclass_label_coverage{service="classifier",model_version="unlabeled"} 0\n',
  );
  expect(prometheus.stdout).not.toContain(
    'prodclass_live_accuracy{service="classifier",model_version="unlabeled"}',
  );
  const text = await runCli(args, env);
  expect(text.code, text.stderr).toBe(0);
  expect(text.stdout).toContain(
    'rakuten_classifier version hand: served 8, labeled 4 (coverage 0.5000), accuracy 0.5000 (estimated 0.5500), weighted F1 0.5417, label lag p50 1205 s',
  );
  expect(text.stdout).toContain('recall: 10 1.000, 40 0.333');
});

test('the hourly counts and confidence sums follow replaced and deleted labels and deleted predictions (kept by triggers)', async () => {
  await client.query(`delete from inference_log where model_version = 'unlabeled'`);
  // The second hand label (predicted 10, true 40) becomes right; the fourth (50 for 40) goes.
  await client.query('update prediction_feedback set prdtypecode = 10 where prediction_id = $1', [
    uuid(100_001),
  ]);
  await client.query('delete from prediction_feedback where prediction_id = $1', [uuid(100_003)]);
  const quality = await report();
  expect(quality.versions.map((entry) => entry.modelVersion)).toEqual(['2', 'hand']);
  // Predicted 10, 10, 40 for truths 10, 10, 40.
  expect(version(quality, 'hand')).toMatchObject({
    labeled: 3,
    accuracy: 1,
    weightedF1: 1,
    recall: { '10': 1, '40': 1 },
  });
  const { rows } = await client.query(
    `select sum(served)::integer as served from inference_log_hourly where model_version = 'hand'`,
  );
  expect(rows).toEqual([{ served: 8 }]);
  const deleted = await client.query(
    `select sum(served)::integer as served, sum(confidence_sum) as confidence_sum
     from inference_log_hourly where model_version = 'unlabeled'`,
  );
  expect(deleted.rows).toEqual([{ served: 0, confidence_sum: 0 }]);
});
