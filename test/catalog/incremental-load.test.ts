import { loadCatalog } from '@prodclass/catalog/load';
import { type CatalogSource, syntheticSource } from '@prodclass/catalog/source';
import { catalogStatus } from '@prodclass/catalog/status';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

let database: TestDatabase;
let source: CatalogSource;

beforeAll(async () => {
  database = await createTestDatabase();
  source = syntheticSource(84_916, 42);
});
afterAll(() => database?.drop());

/** For each load: its history INSERT rows, and how many of its products the history attributes elsewhere. */
async function auditOf(loadName: string) {
  const client = await database.connect();
  const { rows } = await client.query<{
    rows_added: number;
    history_inserts: number;
    products: number;
    misattributed: number;
  }>(
    `select l.rows_added,
       (select count(*)::int from products_history h where h.load_id = l.id and h.operation = 'INSERT') as history_inserts,
       (select count(*)::int from products p where p.load_id = l.id) as products,
       (select count(*)::int from products p join products_history h
          on h.productid = p.productid and h.operation = 'INSERT'
        where p.load_id = l.id and h.load_id is distinct from l.id) as misattributed
     from data_loads l where l.name = $1`,
    [loadName],
  );
  return rows[0];
}

describe('incremental loads of one seeded permutation', () => {
  test('40% then +3% give 33,966 and 36,513 products; the history matches; status says 43', async () => {
    const client = await database.connect();
    expect(await catalogStatus(client)).toMatchObject({
      current_percentage: 0,
      total_rows: 0,
      last_load_date: null,
      next_increment: { name: 'initial_40.0pct', cumulative_percentage: 40, rows_added: null },
      class_distribution: [],
    });
    const initial = await loadCatalog(client, { source, target: { toPercent: 40 }, seed: 42 });
    expect(initial.outcome).toBe('completed');
    expect(initial.load).toMatchObject({
      name: 'initial_40.0pct',
      rows_added: 33_966,
      cumulative_rows: 33_966,
    });
    const week2 = await loadCatalog(client, { source, target: { increment: 3 }, seed: 42 });
    expect(week2.load).toMatchObject({
      name: 'week_2',
      requested_percentage: 3,
      cumulative_percentage: 43,
      rows_added: 2_547,
      cumulative_rows: 36_513,
      status: 'completed',
    });
    const { rows } = await client.query<{ count: number }>('select count(*)::int as count from products');
    expect(rows[0]?.count).toBe(36_513);
    expect(await auditOf('initial_40.0pct')).toEqual({
      rows_added: 33_966,
      history_inserts: 33_966,
      products: 33_966,
      misattributed: 0,
    });
    expect(await auditOf('week_2')).toEqual({
      rows_added: 2_547,
      history_inserts: 2_547,
      products: 2_547,
      misattributed: 0,
    });

    const status = await catalogStatus(client);
    expect(status).toMatchObject({
      current_percentage: 43,
      total_rows: 36_513,
      next_increment: { name: 'week_3', cumulative_percentage: 46, rows_added: 2_548 },
      running_loads: [],
    });
    expect(status.last_load_date).toBe(week2.load.completed_at);
    expect(status.class_distribution).toHaveLength(27);
    expect(status.class_distribution.reduce((sum, entry) => sum + entry.products, 0)).toBe(36_513);
  });

  test('empty descriptions are stored as NULL, never as an empty string or "NaN"', async () => {
    const client = await database.connect();
    const { rows } = await client.query<{ nulls: number; blanks: number; nans: number }>(
      `select count(*) filter (where description is null)::int as nulls,
         count(*) filter (where description = '')::int as blanks,
         count(*) filter (where description in ('NaN', 'nan'))::int as nans
       from products`,
    );
    const expectedNulls = source.rows.filter((row) => row.description === null).length;
    expect(expectedNulls).toBeGreaterThan(0);
    expect(rows[0]?.nulls).toBeGreaterThan(0.3 * 36_513);
    expect(rows[0]).toMatchObject({ blanks: 0, nans: 0 });
  });

  test('a rerun of a completed load changes nothing and says so', async () => {
    const client = await database.connect();
    const before = await client.query(
      'select (select count(*) from products) as products, (select count(*) from products_history) as history',
    );
    const byName = await loadCatalog(client, { source, target: { increment: 3 }, name: 'week_2', seed: 42 });
    const byPercentage = await loadCatalog(client, { source, target: { toPercent: 40 }, seed: 42 });
    expect(byName).toMatchObject({ outcome: 'already-completed', load: { name: 'week_2' } });
    expect(byPercentage).toMatchObject({ outcome: 'already-completed', load: { name: 'initial_40.0pct' } });
    const after = await client.query(
      'select (select count(*) from products) as products, (select count(*) from products_history) as history',
    );
    expect(after.rows).toEqual(before.rows);
  });

  test('a percentage above 100, or not above the current one, is refused with a clear message', async () => {
    const client = await database.connect();
    await expect(loadCatalog(client, { source, target: { toPercent: 101 }, seed: 42 })).rejects.toThrow(
      'cannot load 101% of the source: the maximum is 100%',
    );
    await expect(
      loadCatalog(client, { source, target: { toPercent: 43 }, name: 'again', seed: 42 }),
    ).rejects.toThrow('cannot load up to 43%: the catalog already holds 43%');
    await expect(
      loadCatalog(client, { source, target: { increment: 3 }, name: 'other-seed', seed: 7 }),
    ).rejects.toThrow(/loads must share source and seed/);
    const { rows } = await client.query(`select name from data_loads where status <> 'completed'`);
    expect(rows).toEqual([]);
  });

  test('two concurrent loads run one after the other: no duplicate, each history row attributed to its load', async () => {
    const [first, second] = [await database.connect(), await database.connect()];
    const outcomes = await Promise.all([
      loadCatalog(first, { source, target: { increment: 3 }, name: 'concurrent_a', seed: 42 }),
      loadCatalog(second, { source, target: { increment: 3 }, name: 'concurrent_b', seed: 42 }),
    ]);
    expect(outcomes.map((outcome) => outcome.outcome)).toEqual(['completed', 'completed']);
    expect(outcomes.map((outcome) => outcome.load.cumulative_percentage).sort()).toEqual([46, 49]);
    const { rows } = await first.query<{
      products: number;
      distinct_products: number;
      history_inserts: number;
    }>(
      `select count(*)::int as products, count(distinct productid)::int as distinct_products,
         (select count(*)::int from products_history where operation = 'INSERT') as history_inserts
       from products`,
    );
    expect(rows[0]).toEqual({ products: 41_608, distinct_products: 41_608, history_inserts: 41_608 });
    for (const name of ['concurrent_a', 'concurrent_b']) {
      const audit = await auditOf(name);
      expect(audit?.history_inserts).toBe(audit?.rows_added);
      expect(audit?.products).toBe(audit?.rows_added);
      expect(audit?.misattributed).toBe(0);
    }
  });

  test('two concurrent runs of the same load name load it once', async () => {
    const [first, second] = [await database.connect(), await database.connect()];
    const outcomes = await Promise.all([
      loadCatalog(first, { source, target: { increment: 3 }, name: 'week_same', seed: 42 }),
      loadCatalog(second, { source, target: { increment: 3 }, name: 'week_same', seed: 42 }),
    ]);
    expect(outcomes.map((outcome) => outcome.outcome).sort()).toEqual(['already-completed', 'completed']);
    const { rows } = await first.query<{ count: number }>('select count(*)::int as count from products');
    expect(rows[0]?.count).toBe(44_156);
  });
});
