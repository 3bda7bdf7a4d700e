import { randomUUID } from 'node:crypto';
import { checkDrift } from '@prodclass/catalog/drift/check-drift';
import { type DriftCheckRequest, defaultSeverityThresholds } from '@prodclass/catalog/drift/report';
import { defaultUnknownWordLimits, grownUnknownWords } from '@prodclass/catalog/drift/unknown-words';
import pg from 'pg';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const minute = 60_000;
const now = new Date('2026-06-30T00:00:00Z');
const current = { from: new Date(now.getTime() - 1000 * minute), to: now };
const reference = {
  kind: 'window' as const,
  from: new Date(now.getTime() - 2000 * minute),
  to: current.from,
};
const knownWords = ['robe', 'coton', 'livre', 'jouet', 'piscine', 'lampe', 'chaise', 'Été'];

interface LoggedText {
  predictedAt: Date;
  designation: string;
  description: string | null;
  tokens: number;
  unknown: number;
}

let database: TestDatabase;
let pool: pg.Pool;

/** `count` texts of the known words, one a minute back from `end`, the newest first. */
function texts(
  end: Date,
  count: number,
  extra: (index: number) => { designation?: string; description?: string } = () => ({}),
): LoggedText[] {
  return Array.from({ length: count }, (_, index) => {
    const added = extra(index);
    const designation = `${knownWords[index % 8]} ${knownWords[(index + 3) % 8]}${added.designation ?? ''}`;
    const unknown = (added.designation ? 1 : 0) + (added.description ? 2 : 0);
    return {
      predictedAt: new Date(end.getTime() - (index + 1) * minute),
      designation,
      description: added.description ?? null,
      tokens: 2 + unknown,
      unknown,
    };
  });
}

async function log(modelName: string, rows: LoggedText[]): Promise<void> {
  await pool.query(
    `insert into inference_log (prediction_id, predicted_at, model_name, model_version, prdtypecode, confidence,
      text_length, designation, description, token_count, unknown_token_count)
    select gen_random_uuid(), predicted_at, $1, '1', 10, 0.9, length(designation), designation, description, tokens, unknown
    from unnest($2::timestamptz[], $3::text[], $4::text[], $5::integer[], $6::integer[])
      as t(predicted_at, designation, description, tokens, unknown)`,
    [
      modelName,
      rows.map((row) => row.predictedAt),
      rows.map((row) => row.designation),
      rows.map((row) => row.description),
      rows.map((row) => row.tokens),
      rows.map((row) => row.unknown),
    ],
  );
}

function request(modelName: string): DriftCheckRequest {
  return {
    monitor: `test/${modelName}`,
    modelName,
    current,
    reference,
    tests: [{ feature: 'tokens', test: 'oov_share' }],
    thresholds: defaultSeverityThresholds,
    minSamples: 100,
  };
}

const windows = (modelName: string) => ({ modelName, modelVersion: null, current, reference });

beforeAll(async () => {
  database = await createTestDatabase();
  pool = new pg.Pool({ connectionString: database.url, max: 3 });
  await log('stable', [...texts(reference.to, 300), ...texts(current.to, 300)]);
  // The newest current texts carry new words: "zorglub" in 40 of them, "vintrex" in 25 (the
  // designation's last word is one of the two), "qwpl" twice in the description of 10.
  await log('new-words', [
    ...texts(reference.to, 300),
    ...texts(current.to, 300, (index) => ({
      ...(index < 25 ? { designation: ' Vintrex' } : index < 65 ? { designation: ' zorglub' } : {}),
      ...(index < 10 ? { description: 'qwpl, qwpl!' } : {}),
    })),
  ]);
}, 60_000);

afterAll(async () => {
  await pool?.end();
  await database?.drop();
});

test('a window with new words names them, most frequent first, with their counts', async () => {
  const report = await checkDrift(pool, request('new-words'));
  const oov = report.tests.find((result) => result.test === 'oov_share');
  expect(oov?.severity).not.toBe('OK');
  expect(oov?.unknownWords).toEqual([
    { word: 'zorglub', count: 40 },
    { word: 'vintrex', count: 25 },
    { word: 'qwpl', count: 20 },
  ]);
});

test('windows of the same words name none, and an OK OOV share does not count them at all', async () => {
  expect(await grownUnknownWords(pool, windows('stable'))).toEqual({ words: [] });
  const report = await checkDrift(pool, request('stable'));
  const oov = report.tests.find((result) => result.test === 'oov_share');
  expect(oov?.severity).toBe('OK');
  expect(oov).not.toHaveProperty('unknownWords');
});

test('only the most recent texts of each window are read, and at most the requested words are named', async () => {
  expect(
    await grownUnknownWords(pool, windows('new-words'), { ...defaultUnknownWordLimits, textsPerWindow: 10 }),
  ).toEqual({
    words: [
      { word: 'qwpl', count: 20 },
      { word: 'vintrex', count: 10 },
    ],
  });
  expect(
    await grownUnknownWords(pool, windows('new-words'), { ...defaultUnknownWordLimits, words: 1 }),
  ).toEqual({
    words: [{ word: 'zorglub', count: 40 }],
  });
});

test('a count that outlasts its statement timeout is skipped with the reason, and the connection is reusable', async () => {
  // 20,000 texts of the current window, a millisecond apart, each with a word of its own.
  await log(
    'slow',
    texts(current.to, 20_000, () => ({ description: `${randomUUID()} ${'mot '.repeat(50)}` })).map(
      (row, index) => ({
        ...row,
        predictedAt: new Date(current.to.getTime() - index - 1),
      }),
    ),
  );
  expect(
    await grownUnknownWords(pool, windows('slow'), { ...defaultUnknownWordLimits, timeoutMs: 1 }),
  ).toEqual({ skipped: 'counting the words took longer than 1 ms' });
  expect(await grownUnknownWords(pool, windows('stable'))).toEqual({ words: [] });
}, 60_000);
