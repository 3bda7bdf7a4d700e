import type { Command } from 'commander';
import type { MaintainFlags } from '../actions/db.js';
import { integerAtLeast } from '../options.js';

const actions = () => import('../actions/db.js');

/** The chart's inferenceLog.retentionDays default too (docs/install.md). */
const defaultRetentionDays = 90;

export function registerDbCommands(program: Command): void {
  const db = program.command('db').description('the catalog database');
  db.command('migrate')
    .description('apply the pending migrations (idempotent; concurrent runs wait for each other)')
    .action(async () => (await actions()).migrateDatabase());
  db.command('maintain')
    .description(
      "the inference log's daily partitions: create the coming days', drop those older than the retention (idempotent; concurrent runs wait for each other)",
    )
    .option(
      '--retention-days <n>',
      'keep the predictions of the last n days (UTC)',
      integerAtLeast(1),
      defaultRetentionDays,
    )
    .action(async (flags: MaintainFlags) => (await actions()).maintainDatabase(flags));
}
