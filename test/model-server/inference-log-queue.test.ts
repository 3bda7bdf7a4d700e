import pg from 'pg';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { InferenceLog, inferenceLogLimits } from '../../model-server/src/inference-log.js';
import { uuidv7 } from '../../model-server/src/uuidv7.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

let database: TestDatabase;
let pool: pg.Pool;

beforeAll(async () => {
  database = await createTestDatabase();
  pool = new pg.Pool({ connectionString: database.url, max: 2 });
});

afterAll(async () => {
  await pool?.end();
  await database?.drop();
});

test('a full queue drops and counts records instead of waiting; close writes every queued one', async () => {
  const counts = { written: 0, queueFull: 0, writeFailed: 0 };
  const log = new InferenceLog(pool, {
    written: (rows) => {
      counts.written += rows;
    },
    dropped: (rows, reason) => {
      if (reason === 'queue_full') counts.queueFull += rows;
      else counts.writeFailed += rows;
    },
    writeFailed: (error) => {
      throw error;
    },
    spooled: () => undefined,
    spoolWritten: () => undefined,
  });
  const { queueCapacity, batchSize } = inferenceLogLimits;
  const offered = queueCapacity + batchSize + 700;
  // All in one tick, as a burst of predictions would: the first batch leaves for PostgreSQL at
  // once, the queue then fills up, and the rest is dropped.
  for (let index = 0; index < offered; index++) {
    log.enqueue({
      predictedAt: new Date(),
      predictionId: uuidv7(),
      modelName: 'queue-test',
      modelVersion: '1',
      prdtypecode: 2583,
      confidence: 0.5,
      textLength: 12,
      designation: 'Piscine ronde',
      description: null,
    });
  }
  expect(log.depth).toBe(queueCapacity);
  expect(counts.queueFull).toBe(700);

  await log.close();
  expect(log.depth).toBe(0);
  expect(counts).toEqual({ written: queueCapacity + batchSize, queueFull: 700, writeFailed: 0 });
  const { rows } = await pool.query<{ count: string }>('select count(*) from inference_log');
  expect(Number(rows[0]?.count)).toBe(queueCapacity + batchSize);
});

test('texts are stored as sent, except what PostgreSQL would refuse (U+FFFD instead); truncation never splits a surrogate pair', async () => {
  const failures: Error[] = [];
  const log = new InferenceLog(pool, {
    written: () => undefined,
    dropped: () => undefined,
    writeFailed: (error) => failures.push(error),
    spooled: () => undefined,
    spoolWritten: () => undefined,
  });
  const predictionId = uuidv7();
  const { descriptionCharacters } = inferenceLogLimits;
  log.enqueue({
    predictedAt: new Date(),
    predictionId,
    modelName: 'text-test',
    modelVersion: '1',
    prdtypecode: 2583,
    confidence: 0.5,
    textLength: 12,
    designation: 'Lampe\u0000 \ud800 \udc00 😀 \t\\N \\ \r\n',
    description: `${'a'.repeat(descriptionCharacters - 1)}😀`,
  });
  await log.close();
  expect(failures).toEqual([]);
  const { rows } = await pool.query(
    'select designation, description from inference_log where prediction_id = $1',
    [predictionId],
  );
  expect(rows).toEqual([
    {
      designation: 'Lampe\ufffd \ufffd \ufffd 😀 \t\\N \\ \r\n',
      description: 'a'.repeat(descriptionCharacters - 1),
    },
  ]);
});
