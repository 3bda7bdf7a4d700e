import { checkDrift } from '@prodclass/catalog/drift/check-drift';
import {
  type DriftCheckRequest,
  type DriftReport,
  defaultDriftTests,
  defaultSeverityThresholds,
} from '@prodclass/catalog/drift/report';
import pg from 'pg';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { baselineTraffic, copyPredictions, generatedPredictions } from '../support/generated-predictions.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

// Drift windows whose inference_log rows have NULL token counts (logged by a server that did not
// count tokens, or before the columns existed): those rows still count for the class and text-length
// tests, and the out-of-vocabulary share is taken over the rows that have counts, or not applicable.
const day = 86_400_000;
const now = new Date('2026-07-31T00:00:00Z');
const current = { from: new Date(now.getTime() - 7 * day), to: now };
const reference = { kind: 'window' as const, from: new Date(now.getTime() - 37 * day), to: current.from };

let database: TestDatabase;
let pool: pg.Pool;

async function logTraffic(modelName: string, seed: number): Promise<void> {
  const client = await database.connect();
  await copyPredictions(client, [
    ...generatedPredictions({
      modelName,
      modelVersion: '1',
      ...reference,
      count: 3000,
      profile: baselineTraffic,
      seed,
    }),
    ...generatedPredictions({
      modelName,
      modelVersion: '1',
      ...current,
      count: 2000,
      profile: { ...baselineTraffic, unknownShare: 0.25 },
      seed: seed + 1,
    }),
  ]);
}

function request(modelName: string): DriftCheckRequest {
  return {
    monitor: `test/${modelName}`,
    modelName,
    current,
    reference,
    tests: defaultDriftTests,
    thresholds: defaultSeverityThresholds,
    minSamples: 1000,
  };
}

const oov = (report: DriftReport) =>
  report.tests.find((result) => result.feature === 'tokens' && result.test === 'oov_share');

/** Rows per window and the known/unknown token totals over the rows that have counts, in SQL. */
async function expected(modelName: string) {
  const { rows } = await pool.query<{ is_current: boolean; rows: number; tokens: number; unknown: number }>(
    `select predicted_at >= $2 as is_current, count(*)::int as rows,
       coalesce(sum(token_count), 0)::int as tokens, coalesce(sum(unknown_token_count), 0)::int as unknown
     from inference_log where model_name = $1 group by 1`,
    [modelName, current.from],
  );
  const of = (isCurrent: boolean) => rows.find((row) => row.is_current === isCurrent);
  return { reference: of(false), current: of(true) };
}

beforeAll(async () => {
  database = await createTestDatabase();
  pool = new pg.Pool({ connectionString: database.url, max: 4 });
  await logTraffic('uncounted-reference', 50);
  await logTraffic('some-uncounted', 60);
  await logTraffic('counted', 70);
  // Every reference row of the first model, and every third row of the second, without counts.
  await pool.query(
    `update inference_log set token_count = null, unknown_token_count = null
     where model_name = 'uncounted-reference' and predicted_at < $1`,
    [current.from],
  );
  await pool.query(
    `update inference_log set token_count = null, unknown_token_count = null
     where model_name = 'some-uncounted' and text_length % 3 = 0`,
  );
});

afterAll(async () => {
  await pool?.end();
  await database?.drop();
});

test('a reference window without token counts: OOV not applicable, every other test computed on all rows', async () => {
  const report = await checkDrift(pool, request('uncounted-reference'));
  expect(report.outcome).toBe('Checked');
  expect(report.reference.samples).toBe(3000);
  expect(report.current.samples).toBe(2000);
  expect(oov(report)).toMatchObject({
    severity: 'OK',
    notApplicable: 'the model server logged no token counts in one of the windows',
  });
  for (const result of report.tests.filter((candidate) => candidate !== oov(report))) {
    expect(result.notApplicable).toBeUndefined();
    expect(Number.isFinite(result.statistic)).toBe(true);
    expect(result.bins.reference.reduce((sum, rows) => sum + rows, 0)).toBe(3000);
  }
});

test('rows without counts in both windows: the OOV share is over the counted rows only', async () => {
  const totals = await expected('some-uncounted');
  const { rows } = await pool.query<{ uncounted: number }>(
    `select count(*)::int as uncounted from inference_log where model_name = 'some-uncounted' and token_count is null`,
  );
  expect(rows[0]?.uncounted).toBeGreaterThan(500);
  const report = await checkDrift(pool, request('some-uncounted'));
  expect(report.reference.samples).toBe(3000);
  expect(report.current.samples).toBe(2000);
  const result = oov(report);
  expect(result?.notApplicable).toBeUndefined();
  const share = (window: { tokens: number; unknown: number } | undefined) =>
    (window?.unknown ?? 0) / (window?.tokens ?? 1);
  expect(result?.statistic).toBeCloseTo(Math.abs(share(totals.current) - share(totals.reference)), 12);
  expect(result?.bins).toEqual({
    labels: ['known', 'unknown'],
    reference: [
      (totals.reference?.tokens ?? 0) - (totals.reference?.unknown ?? 0),
      totals.reference?.unknown ?? 0,
    ],
    current: [(totals.current?.tokens ?? 0) - (totals.current?.unknown ?? 0), totals.current?.unknown ?? 0],
  });
  // The larger unknown share is found despite the missing counts, as it is with every row counted.
  expect(result?.severity).toBe(oov(await checkDrift(pool, request('counted')))?.severity);
  expect(result?.severity).not.toBe('OK');
});
