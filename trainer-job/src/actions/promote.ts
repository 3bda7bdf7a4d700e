import { promoteVersion, rollback } from '@prodclass/registry/promotion/promote';
import { writeJson } from '../options.js';
import { requester } from '../requester.js';
import { mlflowFromEnv, withCatalogDatabase } from '../services.js';

export interface PromoteFlags {
  registeredModel: string;
  version?: number;
  alias: string;
  reason?: string;
  rollback: boolean;
  stage?: string;
}

export async function promote(flags: PromoteFlags): Promise<void> {
  if (flags.rollback === (flags.version !== undefined))
    throw new Error('say either --version N (promote that version) or --rollback (back to the previous one)');
  const mlflow = mlflowFromEnv('promotion');
  const request = {
    registeredModel: flags.registeredModel,
    alias: flags.alias,
    requestedBy: requester(),
    ...(flags.stage ? { stage: flags.stage } : {}),
  };
  const result = await withCatalogDatabase((db) =>
    flags.version === undefined
      ? rollback({ mlflow, db }, { ...request, reason: flags.reason ?? '' })
      : promoteVersion(
          { mlflow, db },
          { ...request, version: flags.version, reason: flags.reason ?? 'manual promotion' },
        ),
  );
  writeJson(result);
}
