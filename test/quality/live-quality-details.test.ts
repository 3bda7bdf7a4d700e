import {
  accuracySeries,
  liveConfusions,
  mislabeledTexts,
} from '@prodclass/catalog/quality/live-quality-details';
import type pg from 'pg';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

// The Quality page's SQL against PostgreSQL: accuracy per version and day from the hourly counts,
// the confusion matrix of one version, and the mislabeled texts, at most N per confusion.
const hour = 3_600_000;
const day = 24 * hour;
const start = new Date('2026-11-20T00:00:00Z');
let database: TestDatabase;
let client: pg.Client;

interface Logged {
  version: string;
  at: Date;
  predicted: number;
  truth?: number;
}

let next = 0;
const uuid = () => `00000000-0000-7000-8000-${(++next).toString(16).padStart(12, '0')}`;

async function write(predictions: Logged[]): Promise<void> {
  const rows = predictions.map((prediction) => ({ ...prediction, id: uuid() }));
  await client.query(
    `insert into inference_log (prediction_id, predicted_at, model_name, model_version, prdtypecode, confidence,
       text_length, designation, description)
     select id, at, 'm', version, code, 0.5, 10, 'text of ' || id, null
     from unnest($1::uuid[], $2::timestamptz[], $3::text[], $4::integer[]) as p(id, at, version, code)`,
    [rows.map((p) => p.id), rows.map((p) => p.at), rows.map((p) => p.version), rows.map((p) => p.predicted)],
  );
  const labeled = rows.filter((p) => p.truth !== undefined);
  await client.query(
    `insert into prediction_feedback (prediction_id, model_name, model_version, predicted_at, predicted_code,
       prdtypecode, source, labeled_at, labeled_by)
     select id, 'm', version, at, predicted, truth, 'cli', at + interval '1 hour', 'test'
     from unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::integer[], $5::integer[])
       as l(id, version, at, predicted, truth)`,
    [
      labeled.map((p) => p.id),
      labeled.map((p) => p.version),
      labeled.map((p) => p.at),
      labeled.map((p) => p.predicted),
      labeled.map((p) => p.truth),
    ],
  );
}

const repeat = (count: number, logged: Logged): Logged[] => Array.from({ length: count }, () => logged);

beforeAll(async () => {
  database = await createTestDatabase();
  client = await database.connect();
  await write([
    // Day 1, version 1: 10 served, 4 labeled, 3 right.
    ...repeat(6, { version: '1', at: new Date(start.getTime() + 3 * hour), predicted: 10 }),
    ...repeat(3, { version: '1', at: new Date(start.getTime() + 5 * hour), predicted: 10, truth: 10 }),
    { version: '1', at: new Date(start.getTime() + 23 * hour), predicted: 10, truth: 40 },
    // Day 2, version 1: 5 served, none labeled; version 2: 80 served and labeled, 70 of them 2583 → 1560.
    ...repeat(5, { version: '1', at: new Date(start.getTime() + day + hour), predicted: 40 }),
    ...repeat(70, {
      version: '2',
      at: new Date(start.getTime() + day + 2 * hour),
      predicted: 2583,
      truth: 1560,
    }),
    ...repeat(10, {
      version: '2',
      at: new Date(start.getTime() + day + 3 * hour),
      predicted: 2583,
      truth: 2583,
    }),
    // Outside the window: never counted.
    ...repeat(4, { version: '1', at: new Date(start.getTime() + 3 * day), predicted: 10, truth: 40 }),
  ]);
});

afterAll(async () => {
  await client?.end();
  await database?.drop();
});

const window = { from: start, to: new Date(start.getTime() + 2 * day), modelName: 'm' };

test('accuracy per version and UTC day, null where nothing is labeled', async () => {
  expect(await accuracySeries(client, window, 'day')).toEqual([
    { modelVersion: '1', at: start, served: 10, labeled: 4, accuracy: 0.75 },
    { modelVersion: '1', at: new Date(start.getTime() + day), served: 5, labeled: 0, accuracy: null },
    { modelVersion: '2', at: new Date(start.getTime() + day), served: 80, labeled: 80, accuracy: 0.125 },
  ]);
  const hourly = await accuracySeries(client, window, 'hour');
  expect(hourly.filter((point) => point.modelVersion === '1').map((point) => point.served)).toEqual([
    6, 3, 1, 5,
  ]);
});

test('the confusion matrix of one version, most labels first', async () => {
  expect(await liveConfusions(client, { ...window, modelVersion: '1' })).toEqual([
    { predictedCode: 10, prdtypecode: 10, labels: 3 },
    { predictedCode: 10, prdtypecode: 40, labels: 1 },
  ]);
  expect(await liveConfusions(client, { ...window, modelVersion: '2' })).toEqual([
    { predictedCode: 2583, prdtypecode: 1560, labels: 70 },
    { predictedCode: 2583, prdtypecode: 2583, labels: 10 },
  ]);
});

test('mislabeled texts: at most the bound per confusion, only of that pair, version and window', async () => {
  const texts = await mislabeledTexts(
    client,
    { ...window, modelVersion: '2' },
    [
      { predictedCode: 2583, prdtypecode: 1560 },
      { predictedCode: 10, prdtypecode: 40 },
    ],
    50,
  );
  expect(texts).toHaveLength(50);
  for (const text of texts) {
    expect(text).toMatchObject({ predictedCode: 2583, prdtypecode: 1560, description: null });
    expect(text.designation).toMatch(/^text of /);
  }
  const version1 = await mislabeledTexts(
    client,
    { ...window, modelVersion: '1' },
    [{ predictedCode: 10, prdtypecode: 40 }],
    50,
  );
  expect(version1).toHaveLength(1);
  expect(await mislabeledTexts(client, { ...window, modelVersion: '1' }, [], 50)).toEqual([]);
});
