import { withDatabase, withDatabasePool } from '@prodclass/catalog/database';
import { requireCurrentSchema } from '@prodclass/catalog/schema-version';
import { MlflowClient } from '@prodclass/registry/mlflow/client';
import type pg from 'pg';
import { databaseUrlFromEnv, requiredUrlFromEnv } from './env.js';

/** The MLflow tracking server named by MLFLOW_TRACKING_URI. */
export function mlflowFromEnv(neededFor: string): MlflowClient {
  return new MlflowClient(requiredUrlFromEnv('MLFLOW_TRACKING_URI', ['http:', 'https:'], neededFor));
}

/**
 * Runs `work` against the catalog database once its schema is found current; a schema behind this
 * build is an error naming `prodclass db migrate`, the only command that changes it.
 */
export function withCatalogDatabase<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  return withDatabase(databaseUrlFromEnv(), async (client) => {
    await requireCurrentSchema(client);
    return work(client);
  });
}

/**
 * withCatalogDatabase for queries side by side: the schema is checked on the pool's first
 * connection, which `work`'s first query then reuses.
 */
export function withCatalogDatabasePool<T>(
  connections: number,
  work: (pool: pg.Pool) => Promise<T>,
): Promise<T> {
  return withDatabasePool(databaseUrlFromEnv(), connections, async (pool) => {
    const client = await pool.connect();
    try {
      await requireCurrentSchema(client);
    } finally {
      client.release();
    }
    return work(pool);
  });
}
