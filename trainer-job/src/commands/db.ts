import { withDatabase } from '@prodclass/catalog/database';
import { migrate } from '@prodclass/catalog/migrate';
import type { Command } from 'commander';
import { databaseUrlFromEnv } from '../env.js';

export function registerDbCommands(program: Command): void {
  const db = program.command('db').description('the catalog database');
  db.command('migrate')
    .description('apply the pending migrations (idempotent; concurrent runs wait for each other)')
    .action(async () => {
      const result = await withDatabase(databaseUrlFromEnv(), migrate);
      process.stdout.write(
        `${JSON.stringify({ applied: result.applied, already_applied: result.alreadyApplied })}\n`,
      );
    });
}
