import { defaultTfidfSettings } from '@prodclass/textmodel/features/tfidf-vectorizer';
import { defaultLogisticRegressionSettings } from '@prodclass/textmodel/model/logistic-regression';
import type { TextClassifierSettings } from '@prodclass/textmodel/model/text-classifier';
import { defaultTextSettings } from '@prodclass/textmodel/text/product-text';
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

export const writeJson = (value: unknown) => process.stdout.write(`${JSON.stringify(value)}\n`);

export interface HyperparameterFlags {
  maxFeatures: number;
  ngramMax: number;
  analyzer: 'word' | 'char_wb';
  minDf: number;
  maxDf: number;
  sublinearTf: boolean;
  designationRepeats: number;
  C: number;
  maxIter: number;
  tol: number;
  classWeight: 'balanced' | 'none';
  seed: number;
}

/** The text model's hyperparameters, shared by `model fit` and `train` (defaults: the seed's). */
export function addHyperparameterOptions(command: Command): Command {
  return command
    .option('--max-features <n>', 'keep the n most frequent terms', integerAtLeast(1), 5000)
    .option('--ngram-max <n>', 'longest n-gram', integerAtLeast(1), 2)
    .addOption(
      new Option('--analyzer <kind>', 'word n-grams, or character n-grams inside words')
        .choices(['word', 'char_wb'])
        .default('word'),
    )
    .option('--min-df <n>', 'drop terms in fewer documents', integerAtLeast(1), 2)
    .option('--max-df <share>', 'drop terms in a larger share of documents', shareAtMostOne, 0.95)
    .option('--sublinear-tf', 'use 1 + ln(tf) instead of raw term counts', false)
    .option(
      '--designation-repeats <n>',
      'repeat the designation n times to weight title words',
      integerAtLeast(1),
      1,
    )
    .option('--C <c>', 'inverse L2 regularisation strength', positiveNumber, 1)
    .option('--max-iter <n>', 'L-BFGS iteration limit', integerAtLeast(1), 1000)
    .option('--tol <tol>', 'stop when every gradient component is at most this', positiveNumber, 1e-4)
    .addOption(
      new Option('--class-weight <kind>', 'weight classes by inverse frequency')
        .choices(['balanced', 'none'])
        .default('none'),
    )
    .option('--seed <n>', 'seed of the train/test split, recorded with the model', integerAtLeast(0), 42);
}

export function classifierSettings(flags: HyperparameterFlags): TextClassifierSettings {
  return {
    text: { ...defaultTextSettings, designationRepeats: flags.designationRepeats },
    tfidf: {
      ...defaultTfidfSettings,
      analyzer: flags.analyzer,
      ngramRange: [flags.analyzer === 'word' ? 1 : 2, flags.ngramMax],
      maxFeatures: flags.maxFeatures,
      minDf: flags.minDf,
      maxDf: flags.maxDf,
      sublinearTf: flags.sublinearTf,
    },
    logisticRegression: {
      ...defaultLogisticRegressionSettings,
      C: flags.C,
      maxIter: flags.maxIter,
      tol: flags.tol,
      classWeight: flags.classWeight,
    },
    seed: flags.seed,
  };
}
