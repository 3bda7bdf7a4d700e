import type { FeedbackSource } from '@prodclass/catalog/feedback/feedback-store';
import { type TrainOptions, trainDefaults, trainFlags } from '@prodclass/registry/contract/train-command';
import { type Command, InvalidArgumentError } from 'commander';
import {
  addHyperparameterOptions,
  integerAtLeast,
  nonEmpty,
  shareBelowOne,
  shareFromZeroToOne,
} from '../options.js';
import { instant } from './quality.js';

const actions = () => import('../actions/train.js');

function collectTag(value: string, tags: Record<string, string>): Record<string, string> {
  const match = /^([^=]+)=(.*)$/.exec(value);
  if (!match?.[1]) throw new InvalidArgumentError('must look like key=value');
  return { ...tags, [match[1].trim()]: match[2] ?? '' };
}

/** `code=floor`; whether the code is one of the 27 classes is checked when the command runs. */
function collectCriticalClass(value: string, classes: Record<string, number>): Record<string, number> {
  const match = /^(\d+)=(.+)$/.exec(value.trim());
  const floor = Number(match?.[2]);
  if (!match?.[1] || !(floor >= 0 && floor <= 1))
    throw new InvalidArgumentError('must look like code=floor, a product type code and a floor in [0, 1]');
  return { ...classes, [match[1]]: floor };
}

const feedbackSources: readonly FeedbackSource[] = ['api', 'cli', 'catalog'];

function collectSource(value: string, sources: string[]): string[] {
  if (!feedbackSources.includes(value as FeedbackSource))
    throw new InvalidArgumentError(`must be one of ${feedbackSources.join(', ')}`);
  return sources.includes(value) ? sources : [...sources, value];
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
      .option(
        `${flag.testSize} <share>`,
        'share of products held out (by a keyed hash of the product id)',
        shareBelowOne,
        defaults.testSize,
      )
      .option(
        `${flag.splitKey} <key>`,
        'key of the product-id hash that decides which products are held out',
        nonEmpty,
        defaults.splitKey,
      )
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
      .option(
        `${flag.minComparisonRows} <rows>`,
        'fewest held-out rows the champion never trained on that a comparison with it needs',
        integerAtLeast(1),
        defaults.minComparisonRows,
      )
      .option(
        `${flag.maxClassDrop} <share>`,
        "largest drop of any class's F1 or recall against the champion that may be promoted",
        shareFromZeroToOne,
        defaults.maxClassDrop,
      )
      .option(
        `${flag.criticalClass} <code=floor>`,
        'a class whose F1 and recall must stay at or above the floor (repeatable)',
        collectCriticalClass,
        defaults.criticalClass,
      )
      .option(`${flag.alias} <alias>`, 'registry alias of the champion', defaults.alias)
      .option(
        `${flag.feedbackSince} <time>`,
        'also train on the labeled predictions served since this ISO 8601 time (docs/training.md)',
        (value: string) => instant(value) && value,
      )
      .option(
        `${flag.feedbackSource} <source>`,
        `only labels from this source (${feedbackSources.join(', ')}; repeatable; default: all)`,
        collectSource,
        defaults.feedbackSource,
      ),
  ).action(async (flags: TrainOptions) => (await actions()).train(flags));
}
