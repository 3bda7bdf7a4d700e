import { progressToStderr } from '@prodclass/catalog/progress';
import type { TrainResult } from '@prodclass/registry/contract/job-result';
import { metricKey, summaryScores } from '@prodclass/registry/contract/metric-keys';
import { type TrainOptions, trainDefaults, trainFlags } from '@prodclass/registry/contract/train-command';
import { type Command, InvalidArgumentError } from 'commander';
import { writeJobResult } from '../job-result-file.js';
import {
  addHyperparameterOptions,
  classifierSettings,
  shareBelowOne,
  shareFromZeroToOne,
  writeJson,
} from '../options.js';
import { gitCommit, mlflowFromEnv, requester, withMigratedDatabase } from '../services.js';
import { type TrainingSummary, trainAndRegister } from '../training/train-and-register.js';

function collectTag(value: string, tags: Record<string, string>): Record<string, string> {
  const match = /^([^=]+)=(.*)$/.exec(value);
  if (!match?.[1]) throw new InvalidArgumentError('must look like key=value');
  return { ...tags, [match[1].trim()]: match[2] ?? '' };
}

/** What the operator reads back from the Job: the run, the version, its held-out scores, the verdict. */
function trainResult(summary: TrainingSummary): TrainResult {
  const { promotion } = summary;
  return {
    kind: 'train',
    load: summary.data_version,
    rows: summary.rows,
    runId: summary.run_id,
    registeredModel: summary.registered_model,
    modelVersion: String(summary.model_version),
    metrics: Object.fromEntries(
      summaryScores.map((score) => [metricKey('test', score), summary.metrics.test[score]]),
    ),
    ...(promotion ? { promotion: { decision: promotion.decision, reason: promotion.reason } } : {}),
  };
}

async function train(flags: TrainOptions): Promise<void> {
  if (flags.autoPromote && flags.decidePromotion)
    throw new Error(`${trainFlags.autoPromote} and ${trainFlags.decidePromotion} exclude each other`);
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
  writeJobResult(trainResult(summary));
  writeJson(summary);
}

export function registerTrainCommand(program: Command): void {
  const flag = trainFlags;
  const defaults = trainDefaults;
  addHyperparameterOptions(
    program
      .command('train')
      .description(
        'train on a catalog snapshot, log everything to MLflow, register a model version and optionally promote it',
      )
      .option(`${flag.dataVersion} <load>`, 'a completed load name (default: the latest completed load)')
      .option(`${flag.testSize} <share>`, 'held-out share of each class', shareBelowOne, defaults.testSize)
      .option(`${flag.experiment} <name>`, 'MLflow experiment', defaults.experiment)
      .option(`${flag.registeredModel} <name>`, 'MLflow registered model', defaults.registeredModel)
      .option(`${flag.runName} <name>`, 'MLflow run name (default: train_<load>)')
      .option(`${flag.tag} <key=value>`, 'a run tag (repeatable)', collectTag, defaults.tag)
      .option(
        flag.autoPromote,
        'promote the new version if it passes the rule (threshold and champion)',
        defaults.autoPromote,
      )
      .option(
        flag.decidePromotion,
        'record the rule’s verdict on the version without moving the alias (the operator moves it)',
        defaults.decidePromotion,
      )
      .option(
        `${flag.minF1} <f1>`,
        'weighted F1 the new version must reach to be promoted',
        shareFromZeroToOne,
        defaults.minF1,
      )
      .option(`${flag.alias} <alias>`, 'registry alias of the champion', defaults.alias),
  ).action((flags: TrainOptions) => train(flags));
}
