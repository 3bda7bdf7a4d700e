import {
  type HyperparameterOptions,
  hyperparameterDefaults,
  hyperparameterFlags,
} from '@prodclass/registry/contract/train-command';
import { type Command, InvalidArgumentError, Option } from 'commander';

export function integerAtLeast(minimum: number) {
  return (value: string): number => {
    const number = Number(value);
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(number) || number < minimum) {
      throw new InvalidArgumentError(`must be an integer >= ${minimum}`);
    }
    return number;
  };
}

export function positiveNumber(value: string): number {
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number) || number <= 0)
    throw new InvalidArgumentError('must be a positive number');
  return number;
}

export function shareAtMostOne(value: string): number {
  const number = positiveNumber(value);
  if (number > 1) throw new InvalidArgumentError('must be in (0, 1]');
  return number;
}

export function shareFromZeroToOne(value: string): number {
  const number = Number(value);
  if (value.trim() === '' || !(number >= 0 && number <= 1))
    throw new InvalidArgumentError('must be in [0, 1]');
  return number;
}

export function shareBelowOne(value: string): number {
  const number = positiveNumber(value);
  if (number >= 1) throw new InvalidArgumentError('must be in (0, 1)');
  return number;
}

export function nonEmpty(value: string): string {
  if (value.trim() === '') throw new InvalidArgumentError('must not be empty');
  return value;
}

export const writeJson = (value: unknown) => process.stdout.write(`${JSON.stringify(value)}\n`);

/** The text model's hyperparameters, shared by `model fit` and `train`. */
export function addHyperparameterOptions(command: Command): Command {
  const flag = hyperparameterFlags;
  const defaults = hyperparameterDefaults;
  return command
    .option(
      `${flag.maxFeatures} <n>`,
      'keep the n most frequent terms',
      integerAtLeast(1),
      defaults.maxFeatures,
    )
    .option(`${flag.ngramMax} <n>`, 'longest n-gram', integerAtLeast(1), defaults.ngramMax)
    .addOption(
      new Option(`${flag.analyzer} <kind>`, 'word n-grams, or character n-grams inside words')
        .choices(['word', 'char_wb'] satisfies HyperparameterOptions['analyzer'][])
        .default(defaults.analyzer),
    )
    .option(`${flag.minDf} <n>`, 'drop terms in fewer documents', integerAtLeast(1), defaults.minDf)
    .option(
      `${flag.maxDf} <share>`,
      'drop terms in a larger share of documents',
      shareAtMostOne,
      defaults.maxDf,
    )
    .option(flag.sublinearTf, 'use 1 + ln(tf) instead of raw term counts', defaults.sublinearTf)
    .option(
      `${flag.designationRepeats} <n>`,
      'repeat the designation n times to weight title words',
      integerAtLeast(1),
      defaults.designationRepeats,
    )
    .option(`${flag.C} <c>`, 'inverse L2 regularisation strength', positiveNumber, defaults.C)
    .option(`${flag.maxIter} <n>`, 'L-BFGS iteration limit', integerAtLeast(1), defaults.maxIter)
    .option(
      `${flag.tol} <tol>`,
      'stop when every gradient component is at most this',
      positiveNumber,
      defaults.tol,
    )
    .addOption(
      new Option(`${flag.classWeight} <kind>`, 'weight classes by inverse frequency')
        .choices(['balanced', 'none'] satisfies HyperparameterOptions['classWeight'][])
        .default(defaults.classWeight),
    )
    .option(
      `${flag.seed} <n>`,
      'seed of the train/test split, recorded with the model',
      integerAtLeast(0),
      defaults.seed,
    );
}
