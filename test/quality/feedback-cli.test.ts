import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { runCli } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

let database: TestDatabase;
let client: pg.Client;
let env: Record<string, string>;
let directory: string;
/** Ten logged predictions, an hour old; the last two asked for product 777. */
let ids: string[];

beforeAll(async () => {
  database = await createTestDatabase();
  client = await database.connect();
  env = { DATABASE_URL: database.url, PRODCLASS_REQUESTED_BY: 'feedback-cli-test' };
  directory = await fs.mkdtemp(path.join(os.tmpdir(), 'prodclass-feedback-cli-'));
  const { rows } = await client.query<{ prediction_id: string }>(
    `insert into inference_log (prediction_id, predicted_at, model_name, model_version, prdtypecode, confidence,
       text_length, designation, productid)
     select gen_random_uuid(), now() - interval '1 hour', 'rakuten_classifier', '1', 10, 0.9, 5, 'item ' || n,
       case when n > 8 then 777 end
     from generate_series(1, 10) n order by n
     returning prediction_id`,
  );
  ids = rows.map((row) => row.prediction_id);
});

afterAll(async () => {
  await database?.drop();
  if (directory) await fs.rm(directory, { recursive: true, force: true });
});

async function writeFile(name: string, text: string): Promise<string> {
  const file = path.join(directory, name);
  await fs.writeFile(file, text);
  return file;
}

async function labelCount(): Promise<number> {
  const { rows } = await client.query<{ count: number }>(
    'select count(*)::int as count from prediction_feedback',
  );
  return rows[0]?.count ?? 0;
}

test('feedback load writes every label of a file, by prediction id or product id, source cli', async () => {
  // After the prediction, an hour old, and before now.
  const labeledAt = new Date(Date.now() - 60_000).toISOString();
  const file = await writeFile(
    'labels.csv',
    [
      'prediction_id,productid,prdtypecode,labeled_at,labeled_by',
      `${ids[0]},,40,,`,
      `${ids[1]},,50,${labeledAt},moderator:bob`,
      ',777,2583,,seller',
      '',
    ].join('\n'),
  );
  const loaded = await runCli(['feedback', 'load', file], env);
  expect(loaded.stderr).toBe('');
  expect(loaded.code).toBe(0);
  expect(JSON.parse(loaded.stdout)).toEqual({ file, labels: 3, predictions: 4 });
  const { rows } = await client.query(
    'select prediction_id, prdtypecode, source, labeled_by from prediction_feedback order by prdtypecode, prediction_id',
  );
  expect(rows).toEqual([
    { prediction_id: ids[0], prdtypecode: 40, source: 'cli', labeled_by: 'feedback-cli-test' },
    { prediction_id: ids[1], prdtypecode: 50, source: 'cli', labeled_by: 'moderator:bob' },
    ...[ids[8], ids[9]]
      .sort()
      .map((id) => ({ prediction_id: id, prdtypecode: 2583, source: 'cli', labeled_by: 'seller' })),
  ]);
});

test('a bad line fails the whole file with FILE:LINE and the reason; nothing of it is written', async () => {
  const before = await labelCount();
  const good = `${ids[2]},60`;
  const cases: [string[], number, RegExp][] = [
    [
      ['prediction_id,prdtypecode', good, `${ids[3]},1234`],
      3,
      /prdtypecode 1234 is not one of the 27 product-type codes/,
    ],
    [['prediction_id,prdtypecode', good, 'nope,10'], 3, /prediction_id must be a UUID, found "nope"/],
    [['prediction_id,prdtypecode', good, `${ids[3]},10,extra`], 3, /expected 2 fields, found 3/],
    [['prediction_id,prdtypecode', good, `"${ids[3]},10`], 3, /quote|Quote/],
    [['prediction_id,colour', good], 1, /unknown column "colour"/],
    [
      ['prediction_id,productid,prdtypecode', good.replace(',', ',,'), `${ids[3]},777,10`],
      3,
      /either prediction_id or productid/,
    ],
    [
      ['prediction_id,prdtypecode', good, `${ids[3]},10`, '0190aaaa-bbbb-7ccc-8ddd-eeeeeeeeeeee,10'],
      4,
      /no logged prediction has the id 0190aaaa-bbbb-7ccc-8ddd-eeeeeeeeeeee/,
    ],
    [
      ['prediction_id,prdtypecode,labeled_at', `${good},`, `${ids[3]},10,2020-01-01T00:00:00Z`],
      3,
      /labeled_at 2020-01-01T00:00:00Z is before the prediction/,
    ],
    [['productid,prdtypecode', '777,10', '778,10'], 3, /no logged prediction was asked for productid 778/],
  ];
  for (const [index, [lines, line, reason]] of cases.entries()) {
    const file = await writeFile(`bad-${index}.csv`, `${lines.join('\n')}\n`);
    const loaded = await runCli(['feedback', 'load', file], env);
    expect(loaded.code, loaded.stderr).toBe(1);
    expect(loaded.stdout).toBe('');
    expect(loaded.stderr).toMatch(new RegExp(`^prodclass: ${file.replace(/[.]/g, '\\.')}:${line}: `));
    expect(loaded.stderr).toMatch(reason);
  }
  expect(await labelCount()).toBe(before);
});

test('loading a file again changes nothing; a later file replaces labels and keeps the old ones in history', async () => {
  const file = await writeFile('again.csv', `prediction_id,prdtypecode,labeled_by\n${ids[5]},1160,alice\n`);
  for (let run = 0; run < 2; run++) expect((await runCli(['feedback', 'load', file], env)).code).toBe(0);
  const corrected = await writeFile(
    'corrected.csv',
    `prediction_id,prdtypecode,labeled_by\n${ids[5]},1180,carol\n`,
  );
  expect((await runCli(['feedback', 'load', corrected], env)).code).toBe(0);
  const current = await client.query(
    'select prdtypecode, labeled_by from prediction_feedback where prediction_id = $1',
    [ids[5]],
  );
  expect(current.rows).toEqual([{ prdtypecode: 1180, labeled_by: 'carol' }]);
  const history = await client.query(
    'select prdtypecode, labeled_by from prediction_feedback_history where prediction_id = $1 order by id',
    [ids[5]],
  );
  expect(history.rows).toEqual([{ prdtypecode: 1160, labeled_by: 'alice' }]);
});
