import type { CatalogRow } from '@prodclass/catalog/catalog-row';
import { loadCatalog } from '@prodclass/catalog/load';
import { syntheticSource } from '@prodclass/catalog/source';
import { seededPermutation } from '@prodclass/textmodel/sampling/permutation';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { runCli, spawnCli } from '../support/cli.js';
import { stackEnv } from '../support/stack-env.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database?.drop());

async function counts() {
  const client = await database.connect();
  const { rows } = await client.query<{ products: number; history: number }>(
    `select (select count(*)::int from products) as products, (select count(*)::int from products_history) as history`,
  );
  await client.end();
  return rows[0];
}

test('a load killed during COPY leaves none of its rows, stays visible, and a retry completes it', async () => {
  const load = ['data', 'load', '--source', 'synthetic', '--to-percent', '100'];
  const child = spawnCli(load, { DATABASE_URL: database.url });
  const killedDuringCopy = await new Promise<boolean>((resolve) => {
    let stderr = '';
    child.stderr?.on('data', (chunk) => {
      stderr += chunk;
      if (stderr.includes('"event":"copy"')) {
        child.kill('SIGKILL');
        resolve(true);
      }
    });
    child.on('close', () => resolve(false));
  });
  expect(killedDuringCopy).toBe(true);
  await new Promise((resolve) => child.on('close', resolve));

  expect(await counts()).toEqual({ products: 0, history: 0 });
  const client = await database.connect();
  const { rows } = await client.query('select name, status from data_loads');
  expect(rows).toEqual([{ name: 'initial_100.0pct', status: 'running' }]);
  await client.end();

  const retry = await runCli(load, { DATABASE_URL: database.url });
  expect(retry.stderr).toContain('"event":"load-marked-interrupted"');
  expect(retry.code).toBe(0);
  expect(JSON.parse(retry.stdout)).toMatchObject({
    outcome: 'completed',
    load: { name: 'initial_100.0pct', status: 'completed', rows_added: 84_916, error: null },
  });
  expect(await counts()).toEqual({ products: 84_916, history: 84_916 });

  const rerun = await runCli(load, { DATABASE_URL: database.url });
  expect(rerun.code).toBe(0);
  expect(JSON.parse(rerun.stdout)).toMatchObject({
    outcome: 'already-completed',
    message: 'load "initial_100.0pct" was already completed: nothing to do',
  });
  expect(await counts()).toEqual({ products: 84_916, history: 84_916 });
});

test('the CLI reports a missing DATABASE_URL and bad arguments on one line, without a stack trace', async () => {
  const missing = await runCli(['data', 'status'], { DATABASE_URL: '' });
  expect(missing.code).toBe(1);
  expect(missing.stderr).toBe('prodclass: DATABASE_URL is not set: the catalog (PostgreSQL) needs it\n');
  const unmigrated = await runCli(['data', 'history'], {
    DATABASE_URL: stackEnv().DATABASE_URL.replace(/\/[^/]*$/, '/postgres'),
  });
  expect(unmigrated.code).toBe(1);
  expect(unmigrated.stderr).toMatch(
    /^prodclass: the database schema is at 0 but this build needs \d+: run prodclass db migrate\n$/,
  );
  const badPercent = await runCli(['data', 'load', '--source', 'synthetic', '--to-percent', 'forty'], {
    DATABASE_URL: database.url,
  });
  expect(badPercent.code).not.toBe(0);
  expect(badPercent.stderr).toContain("option '--to-percent <p>' argument 'forty' is invalid");
  expect(badPercent.stderr).not.toMatch(/\n\s+at /);
});

test('a load that fails is marked failed with its reason, keeps none of its rows, and can be retried', async () => {
  const own = await createTestDatabase();
  try {
    const client = await own.connect();
    const source = syntheticSource(5_000, 11);
    await loadCatalog(client, { source, target: { toPercent: 40 }, seed: 42 });
    // A product of the next slice inserted by hand makes that slice's COPY fail on the primary key.
    const nextProduct = source.rows[seededPermutation(5_000, 42)[2_100] as number] as CatalogRow;
    await client.query(
      `insert into products (productid, designation, imageid, prdtypecode, load_id)
       values ($1, 'Inserted by hand', 1, 10, (select id from data_loads where name = 'initial_40.0pct'))`,
      [nextProduct.productid],
    );
    await expect(loadCatalog(client, { source, target: { increment: 3 }, seed: 42 })).rejects.toThrow(
      /load "week_2" failed and nothing of it was kept: duplicate key value/,
    );
    const failed = await client.query<{ status: string; error: string; products: number }>(
      `select status, error, (select count(*)::int from products where load_id = l.id) as products
       from data_loads l where name = 'week_2'`,
    );
    expect(failed.rows[0]).toMatchObject({ status: 'failed', products: 0 });
    expect(failed.rows[0]?.error).toMatch(/duplicate key value/);

    await client.query('delete from products where productid = $1', [nextProduct.productid]);
    const retried = await loadCatalog(client, { source, target: { increment: 3 }, seed: 42 });
    expect(retried.load).toMatchObject({ name: 'week_2', status: 'completed', rows_added: 150, error: null });
    const { rows } = await client.query<{ count: number }>('select count(*)::int as count from products');
    expect(rows[0]?.count).toBe(2_150);
  } finally {
    await own.drop();
  }
});
