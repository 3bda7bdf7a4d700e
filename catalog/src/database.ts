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
 * `connect()`, retried with backoff (5 attempts, about 8 s in all) while the server is unreachable;
 * an error that retrying cannot fix, such as a wrong password, fails at once.
 */
async function connectWithRetries<C>(url: string, connect: () => Promise<C>): Promise<C> {
  const attempts = 5;
  for (let attempt = 1; ; attempt++) {
    try {
      return await connect();
    } catch (error) {
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
}

/** A missing table means the database was never migrated, and the error says so. */
function explained(error: unknown): unknown {
  return (error as { code?: string }).code === undefinedTable
    ? new Error(`${(error as Error).message}: run prodclass db migrate first`)
    : error;
}

/**
 * Runs `work` with a connected client, always closing it afterwards. Connecting is retried while
 * the server is unreachable (see connectWithRetries).
 */
export async function withDatabase<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = await connectWithRetries(url, async () => {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
    try {
      await client.connect();
      return client;
    } catch (error) {
      await client.end().catch(() => {});
      throw error;
    }
  });
  try {
    return await work(client);
  } catch (error) {
    throw explained(error);
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * Runs `work` with up to `connections` connections to `url` for queries side by side (a drift
 * check), ending them afterwards. The first connection is made before `work` starts, retried as
 * withDatabase's, and left idle in the pool for `work`'s first query.
 */
export async function withDatabasePool<T>(
  url: string,
  connections: number,
  work: (pool: pg.Pool) => Promise<T>,
): Promise<T> {
  const pool = new pg.Pool({ connectionString: url, max: connections, connectionTimeoutMillis: 5000 });
  try {
    const client = await connectWithRetries(url, () => pool.connect());
    client.release();
    return await work(pool);
  } catch (error) {
    throw explained(error);
  } finally {
    await pool.end().catch(() => {});
  }
}
