import { syntheticSource } from '@prodclass/catalog/source';
import type pg from 'pg';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { writeTestBundle } from '../model-server/support/bundle.js';
import { postJson, waitUntilReady } from '../model-server/support/server.js';
import { type ServerProcess, spawnServer } from '../model-server/support/server-process.js';
import { runCli } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const feedbackToken = 'feedback-token-for-tests';
const syntheticRows = 2_000;
let database: TestDatabase;
let client: pg.Client;
let server: ServerProcess;
let env: Record<string, string>;

beforeAll(async () => {
  database = await createTestDatabase();
  client = await database.connect();
  env = { DATABASE_URL: database.url, PRODCLASS_REQUESTED_BY: 'catalog-labels-test' };
  server = await spawnServer({
    MODEL_URI: await writeTestBundle('catalog-labels', 41),
    DATABASE_URL: database.url,
    FEEDBACK_TOKEN: feedbackToken,
  });
  await waitUntilReady(server.url);
});

afterAll(async () => {
  server?.child.kill('SIGTERM');
  await server?.exited;
  await database?.drop();
});

function load(toPercent: number) {
  return runCli(
    [
      'data',
      'load',
      '--source',
      'synthetic',
      '--synthetic-rows',
      String(syntheticRows),
      '--to-percent',
      String(toPercent),
    ],
    env,
  );
}

test('a later data load labels the logged predictions whose request named one of its products (source catalog)', async () => {
  expect((await load(40)).code).toBe(0);
  const { rows: loaded } = await client.query<{ productid: string }>('select productid from products');
  const inCatalog = new Set(loaded.map((row) => Number(row.productid)));
  const source = syntheticSource(syntheticRows, 42).rows;
  const upcoming = source.filter((row) => !inCatalog.has(row.productid)).slice(0, 30);
  const alreadyLoaded = source.filter((row) => inCatalog.has(row.productid)).slice(0, 5);
  const asked = [...upcoming, ...alreadyLoaded];

  const answer = await postJson<{ predictions: { prediction_id: string }[] }>(`${server.url}/predict/batch`, {
    items: asked.map(({ designation, description, productid }) => ({ designation, description, productid })),
  });
  expect(answer.status).toBe(200);
  const idOf = new Map(
    asked.map((row, index) => [row.productid, answer.body.predictions[index]?.prediction_id]),
  );

  // A seller labeled one upcoming product through the API first: the catalog's later label replaces it.
  const relabeled = upcoming[0];
  const api = await fetch(`${server.url}/feedback`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${feedbackToken}` },
    body: JSON.stringify({
      productid: relabeled?.productid,
      prdtypecode: relabeled?.prdtypecode === 10 ? 40 : 10,
    }),
  });
  expect(api.status).toBe(200);

  const completed = await load(100);
  expect(completed.code, completed.stderr).toBe(0);
  expect(completed.stderr).toContain('"event":"catalog-labels","predictions_labeled":30');

  const { rows } = await client.query<{
    prediction_id: string;
    prdtypecode: number;
    source: string;
    labeled_by: string;
  }>('select prediction_id, prdtypecode, source, labeled_by from prediction_feedback order by prediction_id');
  expect(rows).toEqual(
    upcoming
      .map((row) => ({
        prediction_id: idOf.get(row.productid),
        prdtypecode: row.prdtypecode,
        source: 'catalog',
        labeled_by: 'data load week_2',
      }))
      .sort((a, b) => String(a.prediction_id).localeCompare(String(b.prediction_id))),
  );
  const history = await client.query('select prediction_id, source from prediction_feedback_history');
  expect(history.rows).toEqual([{ prediction_id: idOf.get(relabeled?.productid as number), source: 'api' }]);
});
