import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadCatalog } from '@prodclass/catalog/load';
import { exportSnapshot } from '@prodclass/catalog/snapshot';
import { type CatalogSource, syntheticSource } from '@prodclass/catalog/source';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { runCli } from '../support/cli.js';
import { runPythonCheck } from '../support/python.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

let database: TestDatabase;
let source: CatalogSource;
let scratch: string;

beforeAll(async () => {
  database = await createTestDatabase();
  scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'prodclass-snapshot-'));
  source = syntheticSource(10_000, 3);
  const client = await database.connect();
  await loadCatalog(client, { source, target: { toPercent: 40 }, seed: 42 });
});
afterAll(async () => {
  await fs.rm(scratch, { recursive: true, force: true });
  await database?.drop();
});

interface Exported {
  load: string;
  rows: number;
  dataset_fingerprint: string;
}

test('the same --as-of export gives the same fingerprint twice, the one the load recorded', async () => {
  const client = await database.connect();
  const first = await exportSnapshot(client, 'initial_40.0pct', path.join(scratch, 'first.csv'));
  const second = await runCli(
    ['data', 'export', '--as-of', 'initial_40.0pct', '--out', path.join(scratch, 'second.csv')],
    {
      DATABASE_URL: database.url,
    },
  );
  expect(second.code).toBe(0);
  const printed = JSON.parse(second.stdout) as Exported;
  expect(printed).toMatchObject({
    load: 'initial_40.0pct',
    rows: 4_000,
    dataset_fingerprint: first.dataset_fingerprint,
  });
  expect(await fs.readFile(path.join(scratch, 'second.csv'))).toEqual(
    await fs.readFile(path.join(scratch, 'first.csv')),
  );
  const { rows } = await client.query('select dataset_fingerprint from data_loads where name = $1', [
    'initial_40.0pct',
  ]);
  expect(rows[0].dataset_fingerprint).toBe(first.dataset_fingerprint);
  expect(first.dataset_fingerprint).toMatch(/^[0-9a-f]{64}$/);
});

test('the fingerprint follows its documented definition (recomputed in Python from the CSV)', async () => {
  const client = await database.connect();
  const file = path.join(scratch, 'python.csv');
  const exported = await exportSnapshot(client, 'initial_40.0pct', file);
  const recomputed = await runPythonCheck<{ rows: number; dataset_fingerprint: string }>(
    'catalog/snapshot_fingerprint.py',
    [file],
  );
  expect(recomputed).toEqual({ rows: exported.rows, dataset_fingerprint: exported.dataset_fingerprint });
});

test('later loads, updates and deletes do not change the snapshot of an earlier load', async () => {
  const client = await database.connect();
  const before = await exportSnapshot(client, 'initial_40.0pct', path.join(scratch, 'before.csv'));
  const { rows: sample } = await client.query<{ productid: string }>(
    `select productid from products where load_id = (select id from data_loads where name = 'initial_40.0pct')
     order by productid limit 2`,
  );
  await client.query('update products set designation = $1 where productid = $2', [
    'Renamed after the load',
    sample[0]?.productid,
  ]);
  await client.query('delete from products where productid = $1', [sample[1]?.productid]);
  // This load's recorded fingerprint must account for the update and the delete before it.
  await loadCatalog(client, { source, target: { increment: 3 }, seed: 42 });

  const after = await exportSnapshot(client, 'initial_40.0pct', path.join(scratch, 'after.csv'));
  expect(after).toMatchObject({ rows: 4_000, dataset_fingerprint: before.dataset_fingerprint });
  const week2 = await exportSnapshot(client, 'week_2', path.join(scratch, 'week2.csv'));
  const { rows } = await client.query('select dataset_fingerprint from data_loads where name = $1', [
    'week_2',
  ]);
  expect(week2).toMatchObject({ rows: 4_299, dataset_fingerprint: rows[0].dataset_fingerprint });

  const { rows: history } = await client.query(
    `select operation, load_id, old_row->>'designation' as old_designation, new_row->>'designation' as new_designation
     from products_history where operation <> 'INSERT' order by id`,
  );
  expect(history).toEqual([
    expect.objectContaining({
      operation: 'UPDATE',
      load_id: null,
      new_designation: 'Renamed after the load',
    }),
    expect.objectContaining({ operation: 'DELETE', load_id: null, new_designation: null }),
  ]);
});

test('exporting a load that does not exist, or did not complete, says so', async () => {
  const result = await runCli(
    ['data', 'export', '--as-of', 'week_99', '--out', path.join(scratch, 'none.csv')],
    {
      DATABASE_URL: database.url,
    },
  );
  expect(result.code).toBe(1);
  expect(result.stderr).toBe('prodclass: there is no load named "week_99" (see prodclass data history)\n');
  await expect(fs.access(path.join(scratch, 'none.csv'))).rejects.toThrow();
});
