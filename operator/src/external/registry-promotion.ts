import { withDatabase } from '@prodclass/catalog/database';
import { MlflowClient } from '@prodclass/registry/mlflow/client';
import { PromotionRefused, promoteVersion } from '@prodclass/registry/promotion/promote';
import { type Promote, VersionRejected } from './promotion.js';

/** Promotions through the registry promotion module: alias, version tags and the promotions table. */
export function registryPromote(databaseUrl: string, trackingUri: string): Promote {
  const mlflow = new MlflowClient(trackingUri);
  return (request) =>
    withDatabase(databaseUrl, async (db) => {
      try {
        const result = await promoteVersion({ mlflow, db }, request);
        return { previousVersion: result.previousVersion?.toString() };
      } catch (error) {
        if (error instanceof PromotionRefused && error.reason === 'VersionRejected')
          throw new VersionRejected(error.message);
        throw error;
      }
    });
}
