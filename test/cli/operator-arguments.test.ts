import { type Command, CommanderError } from 'commander';
import { describe, expect, test } from 'vitest';
import { loadArgs } from '../../operator/src/reconcilers/data-increment.js';
import { impactArgs } from '../../operator/src/reconcilers/impact-preview.js';
import { trainArgs } from '../../operator/src/reconcilers/training-run.js';
import type { TrainingRun } from '../../operator/src/resources/types.js';
import {
  validDataIncrementSpec,
  validModelPromotionSpec,
  validTrainingRunSpec,
} from '../../operator/src/resources/validate.js';
import { buildProgram } from '../../trainer-job/src/program.js';

// The operator's Jobs run `prodclass` with the arguments its reconcilers build; here those arguments
// go through the CLI's own commander parser (actions replaced by a stub, nothing runs), so a flag
// renamed on one side only, a value the CLI would refuse, or a default that differs fails here.

/** The options the CLI's parser yields for `args`, without running the command. */
async function parsedOptions(args: string[]): Promise<Record<string, unknown>> {
  const program = buildProgram();
  let parsed: Record<string, unknown> | undefined;
  const stub = (options: Record<string, unknown>) => {
    parsed = options;
  };
  for (const command of runnableCommands(program))
    command.action(stub).configureOutput({ writeErr: () => {} });
  await program.parseAsync(args, { from: 'user' });
  if (!parsed) throw new Error(`no command ran for ${args.join(' ')}`);
  return parsed;
}

function runnableCommands(command: Command): Command[] {
  return command.commands.length === 0 ? [command] : command.commands.flatMap(runnableCommands);
}

function trainingRun(name: string, spec: unknown): TrainingRun {
  return {
    apiVersion: 'mlops.prodclass.dev/v1alpha1',
    kind: 'TrainingRun',
    metadata: { name, namespace: 'team-a' },
    spec: spec as TrainingRun['spec'],
  };
}

describe('the operator’s `prodclass train` arguments, parsed by the CLI', () => {
  test('a fully-populated TrainingRun, auto-promotion on, a named load', async () => {
    const spec = validTrainingRunSpec({
      dataVersion: 'week-3',
      hyperparameters: {
        maxFeatures: 20000,
        ngramMax: 3,
        minDf: 4,
        maxDf: 0.8,
        c: 2.5,
        maxIter: 300,
        classWeight: 'balanced',
        seed: 7,
        testSize: 0.25,
      },
      registeredModel: 'shop_classifier',
      experiment: 'shop training',
      autoPromote: {
        enabled: true,
        minF1: 0.85,
        minComparisonRows: 1000,
        maxClassDrop: 0.05,
        criticalClasses: [
          { code: 2583, floor: 0.9 },
          { code: 10, floor: 0.5 },
        ],
        alias: 'champion',
      },
      resources: { requests: { cpu: 2, memory: '4Gi' } },
      backoffLimit: 2,
      activeDeadlineSeconds: 7200,
    });
    const args = trainArgs(trainingRun('nightly', spec), spec, 'week_3');
    // The wire format Jobs already running were created with.
    expect(args).toEqual([
      'train',
      '--data-version',
      'week_3',
      '--registered-model',
      'shop_classifier',
      '--experiment',
      'shop training',
      '--run-name',
      'nightly',
      '--tag',
      'prodclass.dev/trainingrun=team-a/nightly',
      '--max-features',
      '20000',
      '--ngram-max',
      '3',
      '--min-df',
      '4',
      '--max-df',
      '0.8',
      '--C',
      '2.5',
      '--max-iter',
      '300',
      '--class-weight',
      'balanced',
      '--seed',
      '7',
      '--test-size',
      '0.25',
      '--decide-promotion',
      '--min-f1',
      '0.85',
      '--min-comparison-rows',
      '1000',
      '--max-class-drop',
      '0.05',
      '--critical-class',
      '10=0.5',
      '--critical-class',
      '2583=0.9',
      '--alias',
      'champion',
    ]);
    expect(await parsedOptions(args)).toEqual({
      dataVersion: 'week_3',
      registeredModel: 'shop_classifier',
      experiment: 'shop training',
      runName: 'nightly',
      tag: { 'prodclass.dev/trainingrun': 'team-a/nightly' },
      maxFeatures: 20000,
      ngramMax: 3,
      analyzer: 'word',
      minDf: 4,
      maxDf: 0.8,
      sublinearTf: false,
      designationRepeats: 1,
      C: 2.5,
      maxIter: 300,
      tol: 1e-4,
      classWeight: 'balanced',
      seed: 7,
      testSize: 0.25,
      splitKey: 'prodclass',
      autoPromote: false,
      decidePromotion: true,
      minF1: 0.85,
      minComparisonRows: 1000,
      maxClassDrop: 0.05,
      criticalClass: { 2583: 0.9, 10: 0.5 },
      alias: 'champion',
      feedbackSource: [],
    });
  });

  test('a minimal TrainingRun on the latest load: the spec’s defaults are the CLI’s', async () => {
    const spec = validTrainingRunSpec({});
    expect(await parsedOptions(trainArgs(trainingRun('quick', spec), spec, 'latest'))).toEqual({
      registeredModel: 'rakuten_classifier',
      experiment: 'rakuten_model_training',
      runName: 'quick',
      tag: { 'prodclass.dev/trainingrun': 'team-a/quick' },
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
      testSize: 0.2,
      splitKey: 'prodclass',
      autoPromote: false,
      decidePromotion: true,
      minF1: 0.7,
      minComparisonRows: 200,
      maxClassDrop: 0.1,
      criticalClass: {},
      alias: 'production',
      feedbackSource: [],
    });
  });

  test('spec.feedback becomes --feedback-since and one --feedback-source per source', async () => {
    const spec = validTrainingRunSpec({
      feedback: { since: '2026-12-01T00:00:00+01:00', sources: ['catalog', 'api'] },
    });
    const args = trainArgs(trainingRun('corrections', spec), spec, 'latest');
    expect(args.join(' ')).toContain(
      '--feedback-since 2026-12-01T00:00:00+01:00 --feedback-source catalog --feedback-source api',
    );
    expect(await parsedOptions(args)).toMatchObject({
      feedbackSince: '2026-12-01T00:00:00+01:00',
      feedbackSource: ['catalog', 'api'],
    });
    const without = validTrainingRunSpec({});
    expect(trainArgs(trainingRun('plain', without), without, 'latest').join(' ')).not.toContain('--feedback');
  });

  test('auto-promotion off: the Job only trains and registers', async () => {
    const spec = validTrainingRunSpec({ autoPromote: { enabled: false, minF1: 0.9, alias: 'staging' } });
    const options = await parsedOptions(trainArgs(trainingRun('manual', spec), spec, 'initial_40.0pct'));
    expect(options).toMatchObject({
      dataVersion: 'initial_40.0pct',
      autoPromote: false,
      decidePromotion: false,
      minF1: 0.7,
      alias: 'production',
    });
  });
});

describe('the operator’s `prodclass data load` arguments, parsed by the CLI', () => {
  test('a fully-populated synthetic DataIncrement', async () => {
    const spec = validDataIncrementSpec({
      source: { synthetic: { rows: 5000, seed: 3 } },
      toPercent: 12.5,
      seed: 7,
      dataVersion: 'initial_12.5pct',
    });
    const args = loadArgs(spec, 'initial_12.5pct');
    expect(args).toEqual([
      'data',
      'load',
      '--source',
      'synthetic',
      '--synthetic-rows',
      '5000',
      '--synthetic-seed',
      '3',
      '--to-percent',
      '12.5',
      '--name',
      'initial_12.5pct',
      '--seed',
      '7',
    ]);
    expect(await parsedOptions(args)).toEqual({
      source: 'synthetic',
      syntheticRows: 5000,
      syntheticSeed: 3,
      toPercent: 12.5,
      name: 'initial_12.5pct',
      seed: 7,
    });
  });

  test('a minimal DataIncrement of official files in a directory, by increment', async () => {
    const spec = validDataIncrementSpec({
      source: { files: { path: '/data/rakuten' } },
      incrementPercent: 10,
    });
    expect(await parsedOptions(loadArgs(spec, 'week-2'))).toEqual({
      source: '/data/rakuten',
      increment: 10,
      name: 'week-2',
      seed: 42,
      syntheticRows: 84916,
      syntheticSeed: 42,
    });
  });

  test('official files from a URL', async () => {
    const spec = validDataIncrementSpec({
      source: { files: { url: 'https://example.org/rakuten/' } },
      toPercent: 40,
      seed: 0,
    });
    expect(await parsedOptions(loadArgs(spec, 'initial'))).toEqual({
      source: 'https://example.org/rakuten/',
      toPercent: 40,
      name: 'initial',
      seed: 0,
      syntheticRows: 84916,
      syntheticSeed: 42,
    });
  });
});

test('the parser this file relies on refuses a flag the CLI does not have', async () => {
  await expect(parsedOptions(['train', '--data-set', 'week_3'])).rejects.toBeInstanceOf(CommanderError);
});

describe('the operator’s `prodclass model impact` arguments, parsed by the CLI', () => {
  test('a ModelPromotion with impactPreview: its version against its alias, on the latest load', async () => {
    const spec = validModelPromotionSpec({
      registeredModel: 'shop_classifier',
      version: 7,
      alias: 'champion',
      impactPreview: true,
    });
    expect(await parsedOptions(impactArgs(spec))).toEqual({
      registeredModel: 'shop_classifier',
      candidate: 7,
      championAlias: 'champion',
      dataVersion: 'latest',
    });
    const defaults = validModelPromotionSpec({ version: 3, impactPreview: true });
    expect(await parsedOptions(impactArgs(defaults))).toEqual({
      registeredModel: 'rakuten_classifier',
      candidate: 3,
      championAlias: 'production',
      dataVersion: 'latest',
    });
  });
});
