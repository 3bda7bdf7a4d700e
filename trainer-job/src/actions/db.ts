import { withDatabase } from '@prodclass/catalog/database';
import { migrate } from '@prodclass/catalog/migrate';
import { databaseUrlFromEnv } from '../env.js';
import { writeJson } from '../options.js';

export async function migrateDatabase(): Promise<void> {
  const result = await withDatabase(databaseUrlFromEnv(), migrate);
  writeJson({ applied: result.applied, already_applied: result.alreadyApplied });
}
