import { expect, test } from 'vitest';
import { validDriftAcknowledgementSpec } from './drift-acknowledgement.js';
import { InvalidSpec } from './validate.js';

const spec = {
  driftMonitor: 'classifier-drift',
  report: '4b7c2d1e-9a5f-4c3b-8e6d-0f1a2b3c4d5e',
  action: 'retrain',
  by: 'alice',
};

test('a spec as the CRD admits it is read as is, the reason optional', () => {
  expect(validDriftAcknowledgementSpec(spec)).toEqual(spec);
  expect(validDriftAcknowledgementSpec({ ...spec, reason: 'summer catalogue' })).toEqual({
    ...spec,
    reason: 'summer catalogue',
  });
});

test.each([
  [{ ...spec, action: 'ignore' }, /spec.action must be one of retrain, rollback, investigate/],
  [{ ...spec, report: 'latest' }, /spec.report must be a report id/],
  [{ ...spec, driftMonitor: 'Classifier' }, /spec.driftMonitor must be the name of a DriftMonitor/],
  [{ ...spec, by: '  ' }, /spec.by must be who acknowledges/],
  [{ ...spec, reason: 3 }, /spec.reason must be text/],
  [null, /spec must be an object/],
])('%j is refused', (raw, message) => {
  expect(() => validDriftAcknowledgementSpec(raw)).toThrow(InvalidSpec);
  expect(() => validDriftAcknowledgementSpec(raw)).toThrow(message);
});
