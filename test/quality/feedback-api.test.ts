import type pg from 'pg';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { writeTestBundle } from '../model-server/support/bundle.js';
import { type ErrorBody, type Prediction, postJson, waitUntilReady } from '../model-server/support/server.js';
import { type ServerProcess, spawnServer } from '../model-server/support/server-process.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const feedbackToken = 'feedback-token-for-tests';
let database: TestDatabase;
let client: pg.Client;
let server: ServerProcess;

beforeAll(async () => {
  database = await createTestDatabase();
  client = await database.connect();
  server = await spawnServer({
    MODEL_URI: await writeTestBundle('feedback', 31),
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

async function send<T = { labeled: number }>(
  path: string,
  body: unknown,
  token: string | null = feedbackToken,
): Promise<{ status: number; body: T }> {
  const response = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token === null ? {} : { authorization: `Bearer ${token}` }),
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as T };
}

async function predict(designation: string, productid?: number): Promise<Prediction> {
  const answer = await postJson(`${server.url}/predict`, {
    designation,
    ...(productid ? { productid } : {}),
  });
  expect(answer.status).toBe(200);
  return answer.body;
}

async function feedbackRows(): Promise<Record<string, unknown>[]> {
  const { rows } = await client.query(
    `select prediction_id, model_name, model_version, predicted_code, prdtypecode, source, labeled_by
     from prediction_feedback order by prediction_id`,
  );
  return rows;
}

test('a label sent right after its prediction is written with the prediction copied from the log', async () => {
  // Sent at once: the prediction is still in the inference log's queue, which the label waits for.
  const prediction = await predict('Piscine tubulaire ronde 3m');
  const answer = await send('/feedback', {
    prediction_id: prediction.prediction_id,
    prdtypecode: 2583,
    labeled_by: 'moderator:ann',
  });
  expect(answer).toEqual({ status: 200, body: { labeled: 1 } });
  const { rows } = await client.query('select * from prediction_feedback where prediction_id = $1', [
    prediction.prediction_id,
  ]);
  expect(rows).toEqual([
    expect.objectContaining({
      model_name: 'model.bundle',
      model_version: prediction.model.version,
      predicted_code: prediction.prdtypecode,
      prdtypecode: 2583,
      source: 'api',
      labeled_by: 'moderator:ann',
    }),
  ]);
});

test('without the bearer token, or with another, /feedback is 401 and writes nothing', async () => {
  const prediction = await predict('Lampe de chevet');
  const before = await feedbackRows();
  const label = { prediction_id: prediction.prediction_id, prdtypecode: 2060 };
  for (const token of [null, 'not-the-feedback-token']) {
    const answer = await send<ErrorBody>('/feedback', label, token);
    expect(answer.status).toBe(401);
    expect(answer.body.message).toMatch(/Bearer <FEEDBACK_TOKEN>/);
  }
  expect(await feedbackRows()).toEqual(before);
});

test('malformed bodies, codes outside the 27 classes, two targets or a future date are 400s that write nothing', async () => {
  const prediction = await predict('Figurine Star Wars');
  const id = prediction.prediction_id;
  const before = await feedbackRows();
  const cases: [unknown, RegExp][] = [
    ['{"prediction_id": ', /not valid JSON/],
    [{ prediction_id: id }, /prdtypecode is required/],
    [{ prediction_id: id, prdtypecode: 1234 }, /prdtypecode must be one of 10, 40, 50/],
    [{ prediction_id: 'not-a-uuid', prdtypecode: 10 }, /prediction_id must be a uuid/],
    [{ prediction_id: id, productid: 5, prdtypecode: 10 }, /either prediction_id or productid/],
    [{ prdtypecode: 10 }, /either prediction_id or productid/],
    [{ prediction_id: id, prdtypecode: 10, colour: 'red' }, /unknown field "colour"/],
    [{ prediction_id: id, prdtypecode: 10, labeled_at: 'yesterday' }, /RFC 3339 date-time/],
    [{ prediction_id: id, prdtypecode: 10, labeled_at: '2999-01-01T00:00:00Z' }, /in the future/],
  ];
  for (const [body, message] of cases) {
    const answer = await send<ErrorBody>('/feedback', body);
    expect(answer.status, JSON.stringify(body)).toBe(400);
    expect(answer.body.message).toMatch(message);
  }
  const batch = await send<ErrorBody>('/feedback/batch', {
    items: [
      { prediction_id: id, prdtypecode: 10 },
      { prediction_id: id, prdtypecode: 99 },
    ],
  });
  expect(batch.status).toBe(400);
  expect(batch.body.message).toMatch(/^items\[1\]\.prdtypecode must be one of/);
  expect(await feedbackRows()).toEqual(before);
});

test('a batch naming an unknown prediction, or dated before its prediction, is a 422 and writes none of its labels', async () => {
  const predictions = await Promise.all(
    ['Robe longue', 'Jeu PS4', 'Stylo plume'].map((text) => predict(text)),
  );
  const before = await feedbackRows();
  const unknown = '0190aaaa-bbbb-7ccc-8ddd-eeeeeeeeeeee';
  const answer = await send<ErrorBody>('/feedback/batch', {
    items: [
      { prediction_id: predictions[0]?.prediction_id, prdtypecode: 1140 },
      { prediction_id: unknown, prdtypecode: 40 },
      { productid: 987654321, prdtypecode: 40 },
      { prediction_id: predictions[1]?.prediction_id, prdtypecode: 40, labeled_at: '2020-01-01T00:00:00Z' },
    ],
  });
  expect(answer.status).toBe(422);
  expect(answer.body.message).toBe(
    `nothing of this request was written: items[1]: no logged prediction has the id ${unknown}; ` +
      'items[2]: no logged prediction was asked for productid 987654321; ' +
      `items[3]: labeled_at 2020-01-01T00:00:00Z is before the prediction ${predictions[1]?.prediction_id} was made`,
  );
  expect(await feedbackRows()).toEqual(before);

  // Requests written together in one batch stay independent: the good one is written.
  const [good, bad] = await Promise.all([
    send('/feedback', { prediction_id: predictions[2]?.prediction_id, prdtypecode: 2522 }),
    send<ErrorBody>('/feedback', { prediction_id: unknown, prdtypecode: 2522 }),
  ]);
  expect(good).toEqual({ status: 200, body: { labeled: 1 } });
  expect(bad.status).toBe(422);
});

test('a later label replaces the earlier one, which is kept in the history; the same label again changes nothing', async () => {
  const prediction = await predict('Coffret DVD intégrale');
  const id = prediction.prediction_id;
  expect(
    (await send('/feedback', { prediction_id: id, prdtypecode: 2280, labeled_by: 'seller' })).status,
  ).toBe(200);
  expect(
    (await send('/feedback', { prediction_id: id, prdtypecode: 2705, labeled_by: 'moderator' })).status,
  ).toBe(200);
  expect(
    (await send('/feedback', { prediction_id: id, prdtypecode: 2705, labeled_by: 'moderator' })).status,
  ).toBe(200);
  const current = await client.query(
    'select prdtypecode, labeled_by from prediction_feedback where prediction_id = $1',
    [id],
  );
  expect(current.rows).toEqual([{ prdtypecode: 2705, labeled_by: 'moderator' }]);
  const history = await client.query(
    'select prdtypecode, labeled_by, source from prediction_feedback_history where prediction_id = $1 order by id',
    [id],
  );
  expect(history.rows).toEqual([{ prdtypecode: 2280, labeled_by: 'seller', source: 'api' }]);
});

test('a label by productid labels every logged prediction whose request carried it; the batch route counts them', async () => {
  const productid = 4_252_011_632;
  const first = await predict('Puzzle 1000 pièces', productid);
  const second = await predict('Puzzle 1000 pieces paysage', productid);
  const other = await predict('Puzzle enfant');
  const answer = await send('/feedback/batch', {
    items: [
      { productid, prdtypecode: 1280 },
      { prediction_id: other.prediction_id, prdtypecode: 1280 },
    ],
  });
  expect(answer).toEqual({ status: 200, body: { labeled: 3 } });
  const { rows } = await client.query(
    'select prediction_id from prediction_feedback where prdtypecode = 1280 order by prediction_id',
  );
  expect(rows.map((row) => row.prediction_id)).toEqual(
    [first.prediction_id, second.prediction_id, other.prediction_id].sort(),
  );
  const logged = await client.query('select productid from inference_log where prediction_id = $1', [
    first.prediction_id,
  ]);
  expect(logged.rows).toEqual([{ productid: String(productid) }]);
});
