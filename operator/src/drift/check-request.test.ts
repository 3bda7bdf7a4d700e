import { expect, test } from 'vitest';
import { validDriftMonitorSpec } from '../resources/validate.js';
import { driftRequest } from './check-request.js';

const at = (iso: string) => new Date(iso);

test('the check compares the current window with the one before it, or the served training data', () => {
  const now = at('2026-01-31T06:00:00Z');
  const preceding = driftRequest(
    'ns/dm',
    validDriftMonitorSpec({
      registeredModel: 'm',
      currentWindow: '7d',
      referenceWindow: { length: '30d' },
    }),
    { name: 'm' },
    now,
  );
  expect(preceding).toMatchObject({
    monitor: 'ns/dm',
    modelName: 'm',
    current: { from: at('2026-01-24T06:00:00Z'), to: now },
    reference: { kind: 'window', from: at('2025-12-25T06:00:00Z'), to: at('2026-01-24T06:00:00Z') },
    minSamples: 500,
  });
  const training = driftRequest(
    'ns/dm',
    validDriftMonitorSpec({ predictionService: 'svc', referenceWindow: { source: 'TrainingData' } }),
    { name: 'm', referenceVersion: '4' },
    now,
  );
  expect(training.reference).toEqual({ kind: 'trainingData', modelVersion: '4' });
});
