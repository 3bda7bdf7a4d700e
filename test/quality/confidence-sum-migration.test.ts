import { migrate } from '@prodclass/catalog/migrate';
import type pg from 'pg';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const migration = '008_inference_log_confidence_sum.sql';
let database: TestDatabase;
let client: pg.Client;

beforeAll(async () => {
  database = await createTestDatabase();
  client = await database.connect();
});

afterAll(async () => {
  await client?.end();
  await database?.drop();
});

const sums = async () =>
  (
    await client.query(
      `select model_version, hour, served::integer, confidence_sum from inference_log_hourly
       order by model_version, hour`,
    )
  ).rows;

test(`${migration} backfills the confidence sums of the predictions logged before it, as the triggers keep them after`, async () => {
  await client.query(
    `insert into inference_log (prediction_id, predicted_at, model_name, model_version, prdtypecode, confidence,
       text_length, designation)
     select gen_random_uuid(), timestamptz '2026-11-30T00:00:00Z' + n * interval '7 minutes', 'rakuten_classifier',
       (n % 2)::text, 10, (n % 100) / 100.0, 10, 'generated'
     from generate_series(1, 500) n`,
  );
  const keptByTriggers = await sums();
  expect(keptByTriggers.length).toBeGreaterThan(10);
  // The database as it was before the migration: no column, the migration not applied.
  await client.query('alter table inference_log_hourly drop column confidence_sum');
  await client.query('delete from schema_migrations where name = $1', [migration]);
  expect((await migrate(client)).applied).toEqual([migration]);
  const backfilled = await sums();
  expect(backfilled).toEqual(
    keptByTriggers.map((row) => ({ ...row, confidence_sum: expect.closeTo(row.confidence_sum, 9) })),
  );
  const { rows } = await client.query(
    `select sum(confidence::float8) as logged, (select sum(confidence_sum) from inference_log_hourly) as hourly
     from inference_log`,
  );
  expect(rows[0].hourly).toBeCloseTo(rows[0].logged, 9);
});
