import { liveQuality, type QualityReport, type QualityWindow } from '@prodclass/catalog/quality/live-quality';
import pg from 'pg';

/**
 * Live quality of served predictions where the counts live: PostgreSQL aggregates the hourly
 * counts (catalog/src/quality/live-quality.ts). One connection: a query per PredictionService a
 * minute, each over a few hourly rows.
 */
export class LiveQualityReports {
  readonly #pool: pg.Pool;

  constructor(databaseUrl: string) {
    this.#pool = new pg.Pool({ connectionString: databaseUrl, max: 1, connectionTimeoutMillis: 5000 });
    // An idle connection the server dropped is replaced on the next query; nothing to do here.
    this.#pool.on('error', () => {});
  }

  async report(window: QualityWindow): Promise<QualityReport> {
    const client = await this.#pool.connect();
    try {
      return await liveQuality(client, window);
    } finally {
      client.release();
    }
  }

  close(): Promise<void> {
    return this.#pool.end();
  }
}
