import { databaseUrlFromEnv, migrate, withDatabase } from '@prodclass/core';
import type { Command } from 'commander';

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
