import {
  autoPromoteDefaults,
  cliOnlyHyperparameterDefaults as cliOnlyDefaults,
  defaultExperiment,
  defaultRegisteredModel,
  defaultSplitKey,
  hyperparameterDefaults as resourceDefaults,
} from '@prodclass/api/defaults';
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

/**
 * The seed's hyperparameters: what the CLI takes when a flag is left out. Those a TrainingRun also
 * takes are the custom resources' defaults; the others only the CLI sets.
 */
export const hyperparameterDefaults: HyperparameterOptions = {
  maxFeatures: resourceDefaults.maxFeatures,
  ngramMax: resourceDefaults.ngramMax,
  analyzer: cliOnlyDefaults.analyzer,
  minDf: resourceDefaults.minDf,
  maxDf: resourceDefaults.maxDf,
  sublinearTf: cliOnlyDefaults.sublinearTf,
  designationRepeats: cliOnlyDefaults.designationRepeats,
  C: resourceDefaults.c,
  maxIter: resourceDefaults.maxIter,
  tol: cliOnlyDefaults.tol,
  classWeight: resourceDefaults.classWeight,
  seed: resourceDefaults.seed,
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
  /** Largest drop of a class's F1 or recall against the champion that may be promoted. */
  maxClassDrop: number;
  /** Critical class code → the floor of its F1 and recall, one `--critical-class code=floor` each. */
  criticalClass: Record<string, number>;
  alias: string;
  /** Add the labeled predictions served since this RFC 3339 time to the training rows. */
  feedbackSince?: string;
  /** Only labels from these sources (api, cli, catalog); every source when none is given. */
  feedbackSource: string[];
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
  maxClassDrop: '--max-class-drop',
  criticalClass: '--critical-class',
  alias: '--alias',
  feedbackSince: '--feedback-since',
  feedbackSource: '--feedback-source',
});

export const trainDefaults = {
  ...hyperparameterDefaults,
  registeredModel: defaultRegisteredModel,
  experiment: defaultExperiment,
  tag: {},
  testSize: resourceDefaults.testSize,
  splitKey: defaultSplitKey,
  // The CLI promotes only when asked; a TrainingRun decides by default.
  autoPromote: false,
  decidePromotion: false,
  minF1: autoPromoteDefaults.minF1,
  minComparisonRows: autoPromoteDefaults.minComparisonRows,
  maxClassDrop: autoPromoteDefaults.maxClassDrop,
  criticalClass: {},
  alias: autoPromoteDefaults.alias,
  feedbackSource: [],
} satisfies Omit<TrainOptions, 'dataVersion' | 'runName' | 'feedbackSince'>;

/** The `prodclass train` arguments for these options; those left out take the CLI's defaults. */
export function trainCommandArgs(options: Partial<TrainOptions>): string[] {
  return commandArgs<TrainOptions>(['train'], trainFlags, options);
}
