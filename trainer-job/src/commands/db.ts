import type { Command } from 'commander';

const actions = () => import('../actions/db.js');

export function registerDbCommands(program: Command): void {
  const db = program.command('db').description('the catalog database');
  db.command('migrate')
    .description('apply the pending migrations (idempotent; concurrent runs wait for each other)')
    .action(async () => (await actions()).migrateDatabase());
}
