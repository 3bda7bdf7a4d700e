import { randomBytes } from 'node:crypto';
import { migrate } from '@prodclass/catalog/migrate';
import pg from 'pg';
import { stackEnv } from './stack-env.js';

export interface TestDatabase {
  url: string;
  /** A connected client of the test database; closed by drop(). */
  connect(): Promise<pg.Client>;
  drop(): Promise<void>;
}

async function asAdmin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: stackEnv().DATABASE_URL });
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.end();
  }
}

/**
 * A fresh database of the stack's PostgreSQL for one test file: test files run in parallel and in
 * any order without seeing each other's rows. It is migrated here, as `prodclass db migrate` would,
 * since no program migrates on its own; `{ migrated: false }` leaves it empty.
 */
export async function createTestDatabase({ migrated = true } = {}): Promise<TestDatabase> {
  const name = `prodclass_test_${randomBytes(6).toString('hex')}`;
  await asAdmin((admin) => admin.query(`create database ${name}`));
  const url = new URL(stackEnv().DATABASE_URL);
  url.pathname = `/${name}`;
  const clients: pg.Client[] = [];
  const connect = async () => {
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    clients.push(client);
    return client;
  };
  if (migrated) await migrate(await connect());
  return {
    url: url.toString(),
    connect,
    drop: async () => {
      await Promise.all(clients.map((client) => client.end().catch(() => {})));
      await asAdmin((admin) => admin.query(`drop database if exists ${name} with (force)`));
    },
  };
}
