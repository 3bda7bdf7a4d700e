import { migrate } from '@prodclass/catalog/migrate';
import pg from 'pg';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { runCli } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database?.drop());

test('migrate is idempotent and safe when several run at once', async () => {
  const clients = await Promise.all([1, 2, 3].map(() => database.connect()));
  const results = await Promise.all(clients.map((client) => migrate(client)));
  for (const result of results) expect(result.applied).toEqual([]);
  const client = clients[0] as pg.Client;
  const { rows } = await client.query<{ name: string; count: number }>(
    'select name, count(*)::int as count from schema_migrations group by name order by name',
  );
  expect(rows.map((row) => row.name)).toContain('001_catalog.sql');
  expect(rows.every((row) => row.count === 1)).toBe(true);

  const cli = await runCli(['db', 'migrate'], { DATABASE_URL: database.url });
  expect(cli.code).toBe(0);
  expect(JSON.parse(cli.stdout)).toMatchObject({
    applied: [],
    already_applied: expect.arrayContaining(['001_catalog.sql']),
  });
});

test('a fresh database gets every migration once from two concurrent CLI runs: both succeed, one applies', async () => {
  const fresh = `prodclass_test_fresh_${process.pid}_${Date.now()}`;
  const admin = await database.connect();
  await admin.query(`create database ${fresh}`);
  try {
    const url = new URL(database.url);
    url.pathname = `/${fresh}`;
    const runs = await Promise.all(
      [1, 2].map(() => runCli(['db', 'migrate'], { DATABASE_URL: url.toString() })),
    );
    expect(runs.map((run) => run.code)).toEqual([0, 0]);
    // One run applied every migration; the other waited on the lock and found nothing left to do.
    const outputs = runs.map(
      (run) => JSON.parse(run.stdout) as { applied: string[]; already_applied: string[] },
    );
    const applying = outputs.filter((output) => output.applied.length > 0);
    expect(applying).toHaveLength(1);
    expect(applying[0]?.applied).toContain('001_catalog.sql');
    expect(outputs.find((output) => output.applied.length === 0)?.already_applied).toEqual(
      applying[0]?.applied,
    );
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    // The trigger bodies survived: the file went to the server whole, not split on ';'.
    const { rows } = await client.query(
      `select tgname from pg_trigger where tgrelid = 'products'::regclass and not tgisinternal order by tgname`,
    );
    expect(rows.map((row) => row.tgname)).toEqual([
      'products_audit_changes',
      'products_audit_inserts',
      'products_refuse_truncate',
    ]);
    await expect(client.query('truncate products')).rejects.toThrow(/cannot be truncated/);
    await client.end();
  } finally {
    await admin.query(`drop database if exists ${fresh} with (force)`);
  }
});

test('a change outside a load is audited with no load; productid cannot change', async () => {
  const client = await database.connect();
  await client.query(
    `insert into data_loads (name, requested_percentage, cumulative_percentage, status, source_fingerprint, requested_by)
     values ('manual', 1, 1, 'running', 'none', 'test')`,
  );
  await client.query('begin');
  await client.query(
    `select set_config('prodclass.load_id', (select id::text from data_loads where name = 'manual'), true)`,
  );
  await client.query(
    `insert into products (productid, designation, imageid, prdtypecode, load_id)
     values (1, 'Lampe', 10, 2060, (select id from data_loads where name = 'manual'))`,
  );
  await client.query('commit');
  await client.query(`update products set designation = 'Lampe LED' where productid = 1`);
  await expect(client.query('update products set productid = 2 where productid = 1')).rejects.toThrow(
    /immutable/,
  );
  const { rows } = await client.query(
    `select operation, load_id is not null as attributed, old_row->>'designation' as old, new_row->>'designation' as new
     from products_history order by id`,
  );
  expect(rows).toEqual([
    { operation: 'INSERT', attributed: true, old: null, new: 'Lampe' },
    { operation: 'UPDATE', attributed: false, old: 'Lampe', new: 'Lampe LED' },
  ]);
});
