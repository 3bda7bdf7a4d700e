import { withDatabase } from '@prodclass/catalog/database';
import { maintainInferenceLog } from '@prodclass/catalog/inference-log-partitions';
import { migrate } from '@prodclass/catalog/migrate';
import { progressToStderr } from '@prodclass/catalog/progress';
import { databaseUrlFromEnv } from '../env.js';
import { writeJson } from '../options.js';
import { withCatalogDatabase } from '../services.js';

export async function migrateDatabase(): Promise<void> {
  const result = await withDatabase(databaseUrlFromEnv(), migrate);
  writeJson({ applied: result.applied, already_applied: result.alreadyApplied });
}

export interface MaintainFlags {
  retentionDays: number;
}

export async function maintainDatabase(flags: MaintainFlags): Promise<void> {
  const result = await withCatalogDatabase((client) =>
    maintainInferenceLog(client, { retentionDays: flags.retentionDays, progress: progressToStderr }),
  );
  writeJson({
    created: result.created,
    moved: result.moved,
    dropped: result.dropped,
    kept_from: result.keptFrom,
  });
}
