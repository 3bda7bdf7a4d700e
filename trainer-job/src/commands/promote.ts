import { trainDefaults } from '@prodclass/registry/contract/train-command';
import type { Command } from 'commander';
import type { PromoteFlags } from '../actions/promote.js';
import { integerAtLeast } from '../options.js';

const actions = () => import('../actions/promote.js');

export function registerPromoteCommand(program: Command): void {
  program
    .command('promote')
    .description('point a registry alias at a model version (never a rejected one), or roll it back')
    .option('--registered-model <name>', 'MLflow registered model', trainDefaults.registeredModel)
    .option('--version <n>', 'the version to promote', integerAtLeast(1))
    .option('--alias <alias>', 'registry alias to move', trainDefaults.alias)
    .option('--reason <text>', 'why, for the promotions table and the version tags')
    .option('--rollback', 'move the alias back to the version it pointed at before the current one', false)
    .option('--stage <stage>', 'also move the version to this legacy registry stage (e.g. Production)')
    .action(async (flags: PromoteFlags) => (await actions()).promote(flags));
}
