import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';

/** Failures worth another try: the server is not there (yet), or still starting or recovering. */
function isTransient(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  return (
    code === 'ECONNREFUSED' ||
    code === 'ECONNRESET' ||
    code === 'ETIMEDOUT' ||
    code === 'EAI_AGAIN' ||
    code === '57P03' || // cannot_connect_now: starting up or shutting down
    /timeout/i.test((error as Error).message)
  );
}

const undefinedTable = '42P01';

/**
 * Runs `work` with a connected client, always closing it afterwards. Connecting is retried
 * with backoff (5 attempts, about 8 s in all) while the server is unreachable; an error that
 * retrying cannot fix, such as a wrong password, fails at once. A missing table means the
 * database was never migrated, and the error says so.
 */
export async function withDatabase<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const attempts = 5;
  let client: pg.Client;
  for (let attempt = 1; ; attempt++) {
    client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
    try {
      await client.connect();
      break;
    } catch (error) {
      await client.end().catch(() => {});
      if (!isTransient(error) || attempt === attempts) {
        const { hostname, port, pathname } = new URL(url);
        const tries = attempt > 1 ? ` (after ${attempt} attempts)` : '';
        throw new Error(
          `cannot connect to PostgreSQL at ${hostname}:${port}${pathname}: ${(error as Error).message}${tries}`,
        );
      }
      await sleep(500 * 2 ** (attempt - 1));
    }
  }
  try {
    return await work(client);
  } catch (error) {
    if ((error as { code?: string }).code === undefinedTable)
      throw new Error(`${(error as Error).message}: run prodclass db migrate first`);
    throw error;
  } finally {
    await client.end().catch(() => {});
  }
}

/** Connections to `url` for work that runs queries side by side (a drift check); end() it when done. */
export function databasePool(url: string, connections: number): pg.Pool {
  return new pg.Pool({ connectionString: url, max: connections, connectionTimeoutMillis: 5000 });
}
