import { expect, test } from 'vitest';
import { InvalidSpec, validRetrainScheduleSpec } from './validate.js';

const minimal = {
  schedule: '0 3 * * mon',
  dataIncrement: { source: { synthetic: {} }, incrementPercent: 3 },
};

test('defaults fill a minimal spec; the templates are read as DataIncrement and TrainingRun specs', () => {
  expect(validRetrainScheduleSpec(minimal)).toEqual({
    schedule: '0 3 * * mon',
    timeZone: 'UTC',
    suspend: false,
    concurrencyPolicy: 'Forbid',
    startingDeadlineSeconds: undefined,
    successfulHistoryLimit: 3,
    failedHistoryLimit: 1,
    dataIncrement: { source: { synthetic: { seed: 42, rows: 84916 } }, seed: 42, incrementPercent: 3 },
    trainingRun: {
      hyperparameters: {
        maxFeatures: 5000,
        ngramMax: 2,
        minDf: 2,
        maxDf: 0.95,
        c: 1,
        maxIter: 1000,
        classWeight: 'none',
        seed: 42,
        testSize: 0.2,
      },
      registeredModel: 'rakuten_classifier',
      experiment: 'rakuten_model_training',
      autoPromote: {
        enabled: true,
        minF1: 0.7,
        minComparisonRows: 200,
        maxClassDrop: 0.1,
        alias: 'production',
      },
      resources: undefined,
      backoffLimit: 1,
      activeDeadlineSeconds: 3600,
    },
  });
  const full = validRetrainScheduleSpec({
    ...minimal,
    timeZone: 'Europe/Paris',
    suspend: true,
    concurrencyPolicy: 'Replace',
    startingDeadlineSeconds: 600,
    successfulHistoryLimit: 0,
    failedHistoryLimit: 5,
    trainingRun: { autoPromote: { minF1: 0.6, alias: 'staging' } },
  });
  expect(full).toMatchObject({
    timeZone: 'Europe/Paris',
    suspend: true,
    concurrencyPolicy: 'Replace',
    startingDeadlineSeconds: 600,
    successfulHistoryLimit: 0,
    failedHistoryLimit: 5,
    trainingRun: { autoPromote: { enabled: true, minF1: 0.6, alias: 'staging' } },
  });
});

test.each([
  [{ ...minimal, schedule: undefined }, 'spec.schedule must match'],
  [{ ...minimal, schedule: '61 * * * *' }, 'spec.schedule: minute: 61 is outside 0-59'],
  [{ ...minimal, timeZone: 'Mars/Olympus' }, 'spec.schedule: unknown time zone "Mars/Olympus"'],
  [{ ...minimal, suspend: 'yes' }, 'spec.suspend must be true or false'],
  [{ ...minimal, concurrencyPolicy: 'Allow' }, 'spec.concurrencyPolicy must be Forbid or Replace'],
  [{ ...minimal, startingDeadlineSeconds: 0 }, 'spec.startingDeadlineSeconds must be between 1'],
  [{ ...minimal, successfulHistoryLimit: 101 }, 'spec.successfulHistoryLimit must be between 0 and 100'],
  [{ schedule: '@weekly' }, 'spec.dataIncrement.incrementPercent is required'],
  [
    { ...minimal, dataIncrement: { source: {}, incrementPercent: 3 } },
    'spec.dataIncrement.source needs exactly one of synthetic and files',
  ],
  [
    { ...minimal, dataIncrement: { source: { synthetic: {} }, incrementPercent: 0 } },
    'spec.dataIncrement.incrementPercent must be greater than 0',
  ],
  [
    { ...minimal, trainingRun: { autoPromote: { minF1: 2 } } },
    'spec.trainingRun.autoPromote.minF1 must be between 0 and 1',
  ],
])('%j is refused: %s', (spec, message) => {
  expect(() => validRetrainScheduleSpec(spec)).toThrow(InvalidSpec);
  expect(() => validRetrainScheduleSpec(spec)).toThrow(message);
});
