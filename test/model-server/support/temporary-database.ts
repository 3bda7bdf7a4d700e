import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { stackEnv } from '../../support/stack-env.js';

async function onServer<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: stackEnv().DATABASE_URL });
  await client.connect().catch((error: Error) => {
    throw new Error(`PostgreSQL of the local stack is unreachable: ${error.message}`);
  });
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A database of its own for one test file, so its migrations and rows meet no one else's. */
export async function createTemporaryDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `model_server_test_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  await onServer((client) => client.query(`create database ${name}`));
  const url = new URL(stackEnv().DATABASE_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () =>
      onServer((client) => client.query(`drop database if exists ${name} with (force)`)).then(
        () => undefined,
      ),
  };
}
