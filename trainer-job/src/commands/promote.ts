import { trainDefaults } from '@prodclass/registry/contract/train-command';
import { promoteVersion, rollback } from '@prodclass/registry/promotion/promote';
import type { Command } from 'commander';
import { integerAtLeast, writeJson } from '../options.js';
import { mlflowFromEnv, requester, withMigratedDatabase } from '../services.js';

interface PromoteFlags {
  registeredModel: string;
  version?: number;
  alias: string;
  reason?: string;
  rollback: boolean;
  stage?: string;
}

async function promote(flags: PromoteFlags): Promise<void> {
  if (flags.rollback === (flags.version !== undefined))
    throw new Error('say either --version N (promote that version) or --rollback (back to the previous one)');
  const mlflow = mlflowFromEnv('promotion');
  const request = {
    registeredModel: flags.registeredModel,
    alias: flags.alias,
    requestedBy: requester(),
    ...(flags.stage ? { stage: flags.stage } : {}),
  };
  const result = await withMigratedDatabase((db) =>
    flags.version === undefined
      ? rollback({ mlflow, db }, { ...request, reason: flags.reason ?? '' })
      : promoteVersion(
          { mlflow, db },
          { ...request, version: flags.version, reason: flags.reason ?? 'manual promotion' },
        ),
  );
  writeJson(result);
}

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
    .action((flags: PromoteFlags) => promote(flags));
}
