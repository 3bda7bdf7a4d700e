import { defaultDriftTests, defaultSeverityThresholds } from '@prodclass/catalog/drift/report';
import { describe, expect, test } from 'vitest';
import { OperatorMetrics } from '../../operator/src/metrics.js';
import { validDriftMonitorSpec } from '../../operator/src/resources/validate.js';

// The DriftMonitor's spec at the operator's edge and its metrics. When a check is due, what it asks,
// the retrain decision and the status a report becomes are tested beside their sources
// (operator/src/schedule/drift-check-due.test.ts, operator/src/drift/*.test.ts).
const day = 86_400_000;

describe('spec', () => {
  test('defaults: daily at 06:00 UTC, 7 days against the 30 before, the default tests, no retraining', () => {
    const spec = validDriftMonitorSpec({ predictionService: 'rakuten-classifier' });
    expect(spec).toMatchObject({
      target: { predictionService: 'rakuten-classifier' },
      schedule: '0 6 * * *',
      timeZone: 'UTC',
      currentWindowMs: 7 * day,
      referenceWindow: { source: 'Preceding', lengthMs: 30 * day },
      tests: defaultDriftTests,
      thresholds: defaultSeverityThresholds,
      minSamples: 500,
      onDrift: 'none',
      cooldownMs: day,
    });
    expect(spec.trainingRunFor('served_model')).toMatchObject({
      registeredModel: 'served_model',
      dataVersion: 'latest',
      autoPromote: { enabled: true, alias: 'production' },
    });
  });

  test('the template may name its own model and settings', () => {
    const spec = validDriftMonitorSpec({
      registeredModel: 'watched',
      currentWindow: '12h',
      referenceWindow: { length: '3d' },
      tests: [{ feature: 'text_length', test: 'psi', thresholds: { warning: 1, alert: 2, critical: 3 } }],
      onDrift: 'retrain',
      cooldown: '90m',
      trainingRun: { registeredModel: 'other', autoPromote: { minF1: 0.5 } },
    });
    expect(spec.currentWindowMs).toBe(12 * 3_600_000);
    expect(spec.referenceWindow).toEqual({ source: 'Preceding', lengthMs: 3 * day });
    expect(spec.cooldownMs).toBe(90 * 60_000);
    expect(spec.tests).toEqual([
      { feature: 'text_length', test: 'psi', thresholds: { warning: 1, alert: 2, critical: 3 } },
    ]);
    expect(spec.trainingRunFor('watched')).toMatchObject({
      registeredModel: 'other',
      autoPromote: { minF1: 0.5 },
    });
  });

  test.each([
    [{}, 'exactly one of predictionService and registeredModel'],
    [
      { predictionService: 'a', registeredModel: 'b' },
      'exactly one of predictionService and registeredModel',
    ],
    [{ registeredModel: 'm', schedule: '61 * * * *' }, 'spec.schedule'],
    [{ registeredModel: 'm', currentWindow: '7 days' }, 'spec.currentWindow must be a duration'],
    [{ registeredModel: 'm', referenceWindow: { source: 'TrainingData' } }, 'needs a predictionService'],
    [{ registeredModel: 'm', thresholds: { warning: 0.5, alert: 0.2 } }, 'warning <= alert <= critical'],
    [{ registeredModel: 'm', tests: [{ feature: 'price', test: 'psi' }] }, 'spec.tests[0].feature'],
    [{ registeredModel: 'm', tests: [{ feature: 'text_length', test: 'chi2' }] }, 'spec.tests[0].test'],
    [{ registeredModel: 'm', onDrift: 'page' }, 'spec.onDrift must be one of none, retrain'],
    [
      { registeredModel: 'm', trainingRun: { autoPromote: { minF1: 2 } } },
      'spec.trainingRun.autoPromote.minF1',
    ],
  ])('%j is refused: %s', (spec, message) => {
    expect(() => validDriftMonitorSpec(spec)).toThrow(message);
  });
});

test('metrics: a new check replaces the monitor’s series; a deleted monitor has none', async () => {
  const metrics = new OperatorMetrics();
  const text = () => metrics.registry.getSingleMetricAsString('prodclass_drift_score');
  metrics.setDrift('ns/dm', {
    severity: 'ALERT',
    tests: [
      { feature: 'text_length', test: 'psi', statistic: 0.25 },
      { feature: 'confidence', test: 'ks', statistic: 0.01 },
    ],
  });
  expect(await text()).toContain(
    'prodclass_drift_score{monitor="ns/dm",feature="text_length",test="psi"} 0.25',
  );
  expect(await metrics.registry.getSingleMetricAsString('prodclass_drift_severity')).toContain(
    'prodclass_drift_severity{monitor="ns/dm"} 2',
  );
  metrics.setDrift('ns/dm', {
    severity: 'OK',
    tests: [{ feature: 'text_length', test: 'psi', statistic: 0.01 }],
  });
  expect(await text()).not.toContain('confidence');
  metrics.setDrift('ns/dm');
  expect(await text()).not.toContain('ns/dm');
  expect(await metrics.registry.getSingleMetricAsString('prodclass_drift_severity')).not.toContain('ns/dm');
});
