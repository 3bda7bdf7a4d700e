import { commandArgs, flagTable } from './command-flags.js';

/** The text model's hyperparameters, as `prodclass train` and `prodclass model fit` take them. */
export interface HyperparameterOptions {
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

export const hyperparameterFlags = flagTable({
  maxFeatures: '--max-features',
  ngramMax: '--ngram-max',
  analyzer: '--analyzer',
  minDf: '--min-df',
  maxDf: '--max-df',
  sublinearTf: '--sublinear-tf',
  designationRepeats: '--designation-repeats',
  C: '--C',
  maxIter: '--max-iter',
  tol: '--tol',
  classWeight: '--class-weight',
  seed: '--seed',
});

/** The seed's hyperparameters: what the CLI takes when a flag is left out. */
export const hyperparameterDefaults: HyperparameterOptions = {
  maxFeatures: 5000,
  ngramMax: 2,
  analyzer: 'word',
  minDf: 2,
  maxDf: 0.95,
  sublinearTf: false,
  designationRepeats: 1,
  C: 1,
  maxIter: 1000,
  tol: 1e-4,
  classWeight: 'none',
  seed: 42,
};

/** `prodclass train`'s options, as its parser yields them. */
export interface TrainOptions extends HyperparameterOptions {
  /** A completed load's name; the newest completed load when absent. */
  dataVersion?: string;
  registeredModel: string;
  experiment: string;
  runName?: string;
  /** Run tags, one `--tag key=value` each. */
  tag: Record<string, string>;
  testSize: number;
  /** Key of the product-id hash that decides which products are held out. */
  splitKey: string;
  autoPromote: boolean;
  /** Record the promotion rule's verdict on the version without moving the alias. */
  decidePromotion: boolean;
  minF1: number;
  /** Fewest held-out rows, never trained on by the champion, that a comparison with it needs. */
  minComparisonRows: number;
  alias: string;
}

/** In the order the operator has always written them. */
export const trainFlags = flagTable({
  dataVersion: '--data-version',
  registeredModel: '--registered-model',
  experiment: '--experiment',
  runName: '--run-name',
  tag: '--tag',
  ...hyperparameterFlags,
  testSize: '--test-size',
  splitKey: '--split-key',
  autoPromote: '--auto-promote',
  decidePromotion: '--decide-promotion',
  minF1: '--min-f1',
  minComparisonRows: '--min-comparison-rows',
  alias: '--alias',
});

export const trainDefaults = {
  ...hyperparameterDefaults,
  registeredModel: 'rakuten_classifier',
  experiment: 'rakuten_model_training',
  tag: {},
  testSize: 0.2,
  splitKey: 'prodclass',
  autoPromote: false,
  decidePromotion: false,
  minF1: 0.7,
  minComparisonRows: 200,
  alias: 'production',
} satisfies Omit<TrainOptions, 'dataVersion' | 'runName'>;

/** The `prodclass train` arguments for these options; those left out take the CLI's defaults. */
export function trainCommandArgs(options: Partial<TrainOptions>): string[] {
  return commandArgs<TrainOptions>(['train'], trainFlags, options);
}
