import { execFileSync } from 'node:child_process';
import os from 'node:os';
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

/** Who asked, for the records: PRODCLASS_REQUESTED_BY (the operator sets it), else the local user. */
export function requester(): string {
  return process.env.PRODCLASS_REQUESTED_BY?.trim() || `cli:${os.userInfo().username}`;
}

/**
 * The commit of this code: PRODCLASS_GIT_COMMIT (set in images), else the HEAD of the checkout it
 * runs from (not of the working directory, which may be another repository).
 */
export function gitCommit(): string | undefined {
  if (process.env.PRODCLASS_GIT_COMMIT) return process.env.PRODCLASS_GIT_COMMIT;
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], {
      cwd: import.meta.dirname,
      stdio: ['ignore', 'pipe', 'ignore'],
      encoding: 'utf8',
    }).trim();
  } catch {
    return undefined;
  }
}
