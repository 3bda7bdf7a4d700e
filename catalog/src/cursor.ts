import type pg from 'pg';

/**
 * Streams a query's rows in batches through a server-side cursor, so that a catalog of
 * millions of rows never sits in memory at once. Must run inside a transaction.
 */
export async function* queryInBatches<Row extends pg.QueryResultRow>(
  client: pg.Client,
  sql: string,
  params: unknown[],
  batchSize = 10_000,
): AsyncGenerator<Row[]> {
  await client.query(`declare catalog_rows no scroll cursor for ${sql}`, params);
  try {
    while (true) {
      const { rows } = await client.query<Row>(`fetch ${batchSize} from catalog_rows`);
      if (rows.length === 0) return;
      yield rows;
    }
  } finally {
    await client.query('close catalog_rows');
  }
}
