import http from 'node:http';
import pg from 'pg';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { writeTestBundle } from './support/bundle.js';
import { getJson, postJson, waitUntil, waitUntilReady } from './support/server.js';
import { spawnServer } from './support/server-process.js';

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});

afterAll(async () => database?.drop());

async function rows(): Promise<{
  total: number;
  predictionIds: Set<string>;
  sample: Record<string, unknown>;
  lampDescriptions: unknown[];
}> {
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    const { rows } = await client.query('select * from inference_log order by prediction_id');
    return {
      total: rows.length,
      predictionIds: new Set(rows.map((row) => row.prediction_id as string)),
      sample: rows.find((row) => row.description !== null) ?? {},
      lampDescriptions: rows
        .filter((row) => row.designation.startsWith('Lampe'))
        .map((row) => row.description),
    };
  } finally {
    await client.end();
  }
}

test('every prediction lands in inference_log, none lost on SIGTERM; requests in flight are answered; the process exits cleanly', async () => {
  const server = await spawnServer({
    MODEL_URI: await writeTestBundle('inference-log', 21),
    DATABASE_URL: database.url,
  });
  await waitUntilReady(server.url);
  const health = await getJson<{ inference_log: { enabled: boolean } }>(`${server.url}/health`);
  expect(health.body.inference_log.enabled).toBe(true);

  // This session's lock holds every write back, so that all records are still queued at SIGTERM.
  const lock = new pg.Client({ connectionString: database.url });
  await lock.connect();
  // After a failed check the session is still open when the database is dropped.
  lock.on('error', () => {});
  const written = async () =>
    (await lock.query<{ n: number }>('select count(*)::int as n from inference_log')).rows[0]?.n;
  await lock.query('begin');
  await lock.query('lock table inference_log in share mode');

  const longDescription = `<p>Robe d&eacute;t&eacute; ${'fleurie '.repeat(400)}</p>`;
  const singles = Array.from({ length: 240 }, (_, index) =>
    postJson(`${server.url}/predict`, {
      designation: `Robe longue n°${index}`,
      description: longDescription,
    }),
  );
  const batches = Array.from({ length: 6 }, (_, batch) =>
    postJson<{ predictions: { prediction_id: string }[] }>(`${server.url}/predict/batch`, {
      items: Array.from({ length: 10 }, (_, index) =>
        index % 2 === 0
          ? { designation: `Lampe ${batch}-${index}` }
          : { designation: `Lampe ${batch}-${index}`, description: '' },
      ),
    }),
  );
  const answered = await Promise.all(singles);
  const answeredBatches = await Promise.all(batches);
  expect(answered.every((response) => response.status === 200)).toBe(true);
  expect(answeredBatches.every((response) => response.status === 200)).toBe(true);
  const predictionIds = [
    ...answered.map((response) => response.body.prediction_id),
    ...answeredBatches.flatMap((response) =>
      response.body.predictions.map((prediction) => prediction.prediction_id),
    ),
  ];
  expect(new Set(predictionIds).size).toBe(300);
  // The server's log says why when the writer never gets as far as waiting (a failed write, say).
  await waitUntil('the inference-log writer waits for the lock', async () => {
    const { rows } = await lock.query<{ n: number }>(
      `select count(*)::int as n from pg_locks where relation = 'inference_log'::regclass and not granted`,
    );
    return (rows[0]?.n ?? 0) > 0;
  }).catch((error: Error) => {
    throw new Error(`${error.message}; the server logged: ${JSON.stringify(server.logs.slice(-5))}`);
  });

  // A request in flight when SIGTERM arrives (its body still arriving) is answered before the exit.
  const inFlightBody = JSON.stringify({ designation: 'Chaussettes bébé', description: 'coton bio' });
  const inFlight = http.request(`${server.url}/predict`, {
    method: 'POST',
    agent: false,
    headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(inFlightBody) },
  });
  const inFlightAnswer = new Promise<{ status: number; body: string }>((resolve, reject) => {
    inFlight.on('response', (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    inFlight.on('error', reject);
  });
  await new Promise<void>((resolve) => inFlight.write(inFlightBody.slice(0, 10), () => resolve()));
  // A request on a later connection answered: the server has taken the in-flight one in.
  expect((await getJson(`${server.url}/health`)).status).toBe(200);

  server.child.kill('SIGTERM');
  await waitUntil('the server to begin its shutdown', async () =>
    server.logs.some((entry) => String(entry.msg).startsWith('shutting down')),
  );
  inFlight.end(inFlightBody.slice(10));
  const answer = await inFlightAnswer;
  expect(answer.status).toBe(200);
  predictionIds.push((JSON.parse(answer.body) as { prediction_id: string }).prediction_id);
  // Every record is still unwritten, and the process waits for them rather than exit.
  expect(await written()).toBe(0);
  expect(server.child.exitCode).toBeNull();
  await lock.query('commit');
  await lock.end();
  expect(await server.exited).toBe(0);
  expect(server.logs.map((entry) => entry.msg)).toContain('stopped');

  const logged = await rows();
  expect(logged.total).toBe(301);
  expect(logged.predictionIds).toEqual(new Set(predictionIds));
  expect(logged.sample).toMatchObject({
    model_name: 'model.bundle',
    designation: expect.stringMatching(/^Robe longue/),
  });
  expect((logged.sample.description as string).length).toBe(1_000);
  // Absent and empty descriptions alike are stored as NULL.
  expect(logged.lampDescriptions).toEqual(Array(60).fill(null));
  expect(logged.sample.text_length).toBe(
    (logged.sample.designation as string).length + longDescription.length,
  );
});
