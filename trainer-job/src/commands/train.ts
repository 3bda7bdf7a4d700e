import { progressToStderr } from '@prodclass/catalog/progress';
import { type Command, InvalidArgumentError } from 'commander';
import {
  addHyperparameterOptions,
  classifierSettings,
  type HyperparameterFlags,
  shareBelowOne,
  shareFromZeroToOne,
  writeJson,
} from '../options.js';
import { gitCommit, mlflowFromEnv, requester, withMigratedDatabase } from '../services.js';
import { trainAndRegister } from '../training/train-and-register.js';

interface TrainFlags extends HyperparameterFlags {
  dataVersion?: string;
  testSize: number;
  experiment: string;
  registeredModel: string;
  runName?: string;
  tag: Record<string, string>;
  autoPromote: boolean;
  decidePromotion: boolean;
  minF1: number;
  alias: string;
}

function collectTag(value: string, tags: Record<string, string>): Record<string, string> {
  const match = /^([^=]+)=(.*)$/.exec(value);
  if (!match?.[1]) throw new InvalidArgumentError('must look like key=value');
  return { ...tags, [match[1].trim()]: match[2] ?? '' };
}

async function train(flags: TrainFlags): Promise<void> {
  if (flags.autoPromote && flags.decidePromotion)
    throw new Error('--auto-promote and --decide-promotion exclude each other');
  const mlflow = mlflowFromEnv('training');
  const promotion =
    flags.autoPromote || flags.decidePromotion
      ? { minF1: flags.minF1, alias: flags.alias, apply: flags.autoPromote }
      : undefined;
  const commit = gitCommit();
  const summary = await withMigratedDatabase((db) =>
    trainAndRegister(
      { db, mlflow, progress: progressToStderr },
      {
        ...(flags.dataVersion ? { dataVersion: flags.dataVersion } : {}),
        settings: classifierSettings(flags),
        testSize: flags.testSize,
        experiment: flags.experiment,
        registeredModel: flags.registeredModel,
        ...(flags.runName ? { runName: flags.runName } : {}),
        tags: flags.tag,
        ...(promotion ? { promotion } : {}),
        requestedBy: requester(),
        ...(commit ? { gitCommit: commit } : {}),
      },
    ),
  );
  writeJson(summary);
}

export function registerTrainCommand(program: Command): void {
  addHyperparameterOptions(
    program
      .command('train')
      .description(
        'train on a catalog snapshot, log everything to MLflow, register a model version and optionally promote it',
      )
      .option('--data-version <load>', 'a completed load name (default: the latest completed load)')
      .option('--test-size <share>', 'held-out share of each class', shareBelowOne, 0.2)
      .option('--experiment <name>', 'MLflow experiment', 'rakuten_model_training')
      .option('--registered-model <name>', 'MLflow registered model', 'rakuten_classifier')
      .option('--run-name <name>', 'MLflow run name (default: train_<load>)')
      .option('--tag <key=value>', 'a run tag (repeatable)', collectTag, {})
      .option(
        '--auto-promote',
        'promote the new version if it passes the rule (threshold and champion)',
        false,
      )
      .option(
        '--decide-promotion',
        'record the rule’s verdict on the version without moving the alias (the operator moves it)',
        false,
      )
      .option(
        '--min-f1 <f1>',
        'weighted F1 the new version must reach to be promoted',
        shareFromZeroToOne,
        0.7,
      )
      .option('--alias <alias>', 'registry alias of the champion', 'production'),
  ).action((flags: TrainFlags) => train(flags));
}
