import { afterAll, beforeAll, expect, test } from 'vitest';
import { writeTestBundle } from '../model-server/support/bundle.js';
import { postJson, startServer, waitUntilReady } from '../model-server/support/server.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});

afterAll(async () => database?.drop());

test('the model server logs how many word tokens each prediction looked up and how many were out of vocabulary', async () => {
  const server = await startServer({
    MODEL_URI: await writeTestBundle('oov-logging', 31),
    DATABASE_URL: database.url,
  });
  await waitUntilReady(server.url);
  const unknown = await postJson<{ prediction_id: string }>(`${server.url}/predict`, {
    designation: 'qzxvw wyjkq pqlmz',
  });
  const mixed = await postJson<{ predictions: { prediction_id: string }[] }>(`${server.url}/predict/batch`, {
    items: [{ designation: 'Robe longue qzxvw', description: 'coton pqlmz' }],
  });
  await server.close();

  const client = await database.connect();
  const counts = async (predictionId: string | undefined) =>
    (
      await client.query<{ token_count: number; unknown_token_count: number }>(
        'select token_count, unknown_token_count from inference_log where prediction_id = $1',
        [predictionId],
      )
    ).rows[0];
  expect(await counts(unknown.body.prediction_id)).toEqual({ token_count: 3, unknown_token_count: 3 });
  const mixedCounts = await counts(mixed.body.predictions[0]?.prediction_id);
  expect(mixedCounts?.token_count).toBe(5);
  expect(mixedCounts?.unknown_token_count).toBeGreaterThanOrEqual(2);
  expect(mixedCounts?.unknown_token_count).toBeLessThan(5);
});
