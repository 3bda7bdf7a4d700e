import { type DriftAcknowledgement, driftAcknowledgements } from '@prodclass/catalog/drift/report-store';
import { classByCode } from '@prodclass/textmodel/classes';
import pg from 'pg';

/**
 * Read-only access to the catalog database. @prodclass/catalog's readers take a `pg.Client`; a pooled client
 * offers every query method they use, so it is passed as one.
 */
export class CatalogReader {
  readonly #pool: pg.Pool;

  constructor(databaseUrl: string, onIdleError: (error: Error) => void) {
    this.#pool = new pg.Pool({ connectionString: databaseUrl, max: 4, query_timeout: 10_000 });
    this.#pool.on('error', onIdleError);
  }

  async use<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
    const client = await this.#pool.connect();
    try {
      return await work(client as unknown as pg.Client);
    } finally {
      client.release();
    }
  }

  /** Who acknowledged a drift report, with which action and why. */
  acknowledgements(reportId: string): Promise<DriftAcknowledgement[]> {
    return driftAcknowledgements(this.#pool, reportId);
  }

  close(): Promise<void> {
    return this.#pool.end();
  }
}

export interface SampleProduct {
  productid: string;
  designation: string;
  prdtypecode: number;
  className: string;
}

/** The most recently loaded products. */
export async function recentProducts(client: pg.Client, limit: number): Promise<SampleProduct[]> {
  const { rows } = await client.query<{ productid: string; designation: string; prdtypecode: number }>(
    `select productid::text as productid, left(designation, 160) as designation, prdtypecode
     from products order by created_at desc, productid limit $1`,
    [limit],
  );
  return rows.map((row) => ({ ...row, className: classByCode(row.prdtypecode)?.name ?? 'unknown' }));
}
