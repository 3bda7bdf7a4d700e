import { withDatabase } from '@prodclass/catalog/database';
import { migrate } from '@prodclass/catalog/migrate';
import { MlflowClient } from '@prodclass/registry/mlflow/client';
import type pg from 'pg';
import { databaseUrlFromEnv, requiredUrlFromEnv } from './env.js';

/** The MLflow tracking server named by MLFLOW_TRACKING_URI. */
export function mlflowFromEnv(neededFor: string): MlflowClient {
  return new MlflowClient(requiredUrlFromEnv('MLFLOW_TRACKING_URI', ['http:', 'https:'], neededFor));
}

/** Runs `work` against the catalog database, its schema brought up to date first. */
export function withMigratedDatabase<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  return withDatabase(databaseUrlFromEnv(), async (client) => {
    await migrate(client);
    return work(client);
  });
}
