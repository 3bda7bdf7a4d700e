import { hyperparameterDefaults } from '@prodclass/registry/contract/train-command';
import {
  defaultLogisticRegressionSettings,
  defaultTextSettings,
  defaultTfidfSettings,
} from '@prodclass/textmodel/estimator-defaults';
import { expect, test } from 'vitest';
import { classifierSettings } from './classifier-settings.js';

test("with no hyperparameter flag, the CLI fits the text model with its estimators' own defaults", () => {
  expect(classifierSettings(hyperparameterDefaults)).toStrictEqual({
    text: defaultTextSettings,
    tfidf: defaultTfidfSettings,
    logisticRegression: defaultLogisticRegressionSettings,
    seed: hyperparameterDefaults.seed,
  });
});
