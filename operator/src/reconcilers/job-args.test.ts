import { expect, test } from 'vitest';
import type { TrainingRun } from '../resources/types.js';
import { validDataIncrementSpec, validTrainingRunSpec } from '../resources/validate.js';
import { loadArgs } from './data-increment.js';
import { trainArgs } from './training-run.js';

/** The command words, then each flag with its value (`true` for a flag without one). */
function parsed(args: string[]): { command: string[]; flags: Record<string, string | true> } {
  const first = args.findIndex((arg) => arg.startsWith('--'));
  const command = first < 0 ? args : args.slice(0, first);
  const flags: Record<string, string | true> = {};
  for (let at = command.length; at < args.length; at++) {
    const flag = args[at] as string;
    const value = args[at + 1];
    if (value === undefined || value.startsWith('--')) flags[flag] = true;
    else {
      flags[flag] = value;
      at++;
    }
  }
  return { command, flags };
}

const run = (spec: unknown): TrainingRun => ({
  apiVersion: 'mlops.prodclass.dev/v1alpha1',
  kind: 'TrainingRun',
  metadata: { name: 'nightly', namespace: 'ml' },
  spec: spec as TrainingRun['spec'],
});

test('a TrainingRun with the defaults trains on the given load and decides the promotion', () => {
  const spec = validTrainingRunSpec({});
  const args = trainArgs(run({}), spec, 'load_40');
  expect(parsed(args)).toEqual({
    command: ['train'],
    flags: {
      '--data-version': 'load_40',
      '--registered-model': 'rakuten_classifier',
      '--experiment': 'rakuten_model_training',
      '--run-name': 'nightly',
      '--tag': 'prodclass.dev/trainingrun=ml/nightly',
      '--max-features': '5000',
      '--ngram-max': '2',
      '--min-df': '2',
      '--max-df': '0.95',
      '--C': '1',
      '--max-iter': '1000',
      '--class-weight': 'none',
      '--seed': '42',
      '--test-size': '0.2',
      '--decide-promotion': true,
      '--min-f1': '0.7',
      '--min-comparison-rows': '200',
      '--max-class-drop': '0.1',
      '--alias': 'production',
    },
  });
});

test('on the latest load there is no --data-version; without autoPromote no promotion flags', () => {
  const spec = validTrainingRunSpec({
    registeredModel: 'challenger',
    hyperparameters: { maxFeatures: 20000, ngramMax: 3, c: 0.5, classWeight: 'balanced', testSize: 0.25 },
    autoPromote: { enabled: false },
  });
  const { flags } = parsed(trainArgs(run({}), spec, 'latest'));
  expect(flags).not.toHaveProperty('--data-version');
  for (const flag of ['--decide-promotion', '--min-f1', '--alias']) expect(flags).not.toHaveProperty(flag);
  expect(flags).toMatchObject({
    '--registered-model': 'challenger',
    '--max-features': '20000',
    '--ngram-max': '3',
    '--C': '0.5',
    '--class-weight': 'balanced',
    '--test-size': '0.25',
  });
});

test('a synthetic DataIncrement loads generated rows up to a percentage under its load name', () => {
  const spec = validDataIncrementSpec({ source: { synthetic: { rows: 1000, seed: 7 } }, toPercent: 40 });
  expect(parsed(loadArgs(spec, 'load_40'))).toEqual({
    command: ['data', 'load'],
    flags: {
      '--source': 'synthetic',
      '--synthetic-rows': '1000',
      '--synthetic-seed': '7',
      '--to-percent': '40',
      '--name': 'load_40',
      '--seed': '42',
    },
  });
});

test('a DataIncrement from files adds a percentage from the file path', () => {
  const spec = validDataIncrementSpec({
    source: { files: { path: '/data/rakuten' } },
    incrementPercent: 10,
    seed: 3,
  });
  expect(parsed(loadArgs(spec, 'inc-2'))).toEqual({
    command: ['data', 'load'],
    flags: { '--source': '/data/rakuten', '--increment': '10', '--name': 'inc-2', '--seed': '3' },
  });
});
