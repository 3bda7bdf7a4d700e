import pg from 'pg';
import { requiredUrlFromEnv } from '../env.js';

/** The catalog database named by DATABASE_URL. */
export function databaseUrlFromEnv(): string {
  return requiredUrlFromEnv('DATABASE_URL', ['postgres:', 'postgresql:'], 'the catalog (PostgreSQL)');
}

/** Runs `work` with a connected client, always closing it afterwards. */
export async function withDatabase<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
  } catch (error) {
    const { host, port, pathname } = new URL(url);
    throw new Error(
      `cannot connect to PostgreSQL at ${host}:${port}${pathname}: ${(error as Error).message}`,
    );
  }
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => {});
  }
}
