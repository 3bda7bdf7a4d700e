import {
  type DriftReport,
  defaultDriftTests,
  defaultSeverityThresholds,
} from '@prodclass/catalog/drift/report';
import { describe, expect, test } from 'vitest';
import { OperatorMetrics } from '../../operator/src/metrics.js';
import {
  checkDue,
  driftRequest,
  reportStatus,
  retrainDecision,
} from '../../operator/src/reconcilers/drift-monitor.js';
import { validDriftMonitorSpec } from '../../operator/src/resources/validate.js';

// The DriftMonitor's decisions that need no service: the spec at the operator's edge, when a check
// is due, what it asks, the cooldown, and the status and metrics a report becomes.
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

describe('schedule', () => {
  const spec = { schedule: '0 6 * * *', timeZone: 'UTC' };
  const at = (iso: string) => new Date(iso);

  test('a new monitor, or one whose spec changed, is checked at once', () => {
    expect(checkDue({}, 1, spec, at('2026-01-05T10:00:00Z'))).toEqual({ due: true });
    const checked = { lastCheckTime: '2026-01-05T10:00:00Z', observedGeneration: 1 };
    expect(checkDue(checked, 2, spec, at('2026-01-05T10:01:00Z'))).toEqual({ due: true });
  });

  test('otherwise at the next scheduled time after the last check, once however many were missed', () => {
    const checked = { lastCheckTime: '2026-01-05T10:00:00Z', observedGeneration: 1 };
    expect(checkDue(checked, 1, spec, at('2026-01-05T23:00:00Z'))).toEqual({
      due: false,
      at: at('2026-01-06T06:00:00Z'),
    });
    expect(checkDue(checked, 1, spec, at('2026-01-06T06:00:00Z'))).toEqual({ due: true });
    // Down for three days: one check now; the next after it is tomorrow's.
    expect(checkDue(checked, 1, spec, at('2026-01-09T12:00:00Z'))).toEqual({ due: true });
    const caughtUp = { lastCheckTime: '2026-01-09T12:00:00Z', observedGeneration: 1 };
    expect(checkDue(caughtUp, 1, spec, at('2026-01-09T12:00:05Z'))).toEqual({
      due: false,
      at: at('2026-01-10T06:00:00Z'),
    });
  });

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
});

describe('cooldown', () => {
  const now = new Date('2026-01-05T10:00:00Z');
  test('the first drift retrains', () => {
    expect(retrainDecision(now, day, [undefined, undefined])).toEqual({ retrain: true });
  });
  test('not again within the cooldown of the later of the status and the newest child', () => {
    expect(retrainDecision(now, day, ['2026-01-04T09:00:00Z', undefined])).toEqual({ retrain: true });
    expect(retrainDecision(now, day, ['2026-01-04T09:00:00Z', '2026-01-05T08:00:00Z'])).toEqual({
      retrain: false,
      until: new Date('2026-01-06T08:00:00Z'),
    });
    expect(retrainDecision(now, day, [undefined, '2026-01-05T09:59:00Z'])).toMatchObject({ retrain: false });
  });
});

describe('status', () => {
  const report = (over: Partial<DriftReport>): DriftReport => ({
    id: '4b7c1e0a-0000-4000-8000-000000000000',
    monitor: 'ns/dm',
    modelName: 'm',
    modelVersion: null,
    checkedAt: new Date('2026-01-05T10:00:00.400Z'),
    current: { from: new Date(0), to: new Date(0), samples: 900 },
    reference: { kind: 'window', from: new Date(0), to: new Date(0), samples: 4000 },
    outcome: 'Checked',
    severity: 'OK',
    tests: [
      {
        feature: 'text_length',
        test: 'psi',
        statistic: 0.02,
        pValue: null,
        bins: { reference: [], current: [] },
        severity: 'OK',
      },
      {
        feature: 'text_length',
        test: 'ks',
        statistic: 0.05,
        pValue: 0.3,
        bins: { reference: [], current: [] },
        severity: 'OK',
      },
    ],
    ...over,
  });
  const conditionsOf = (summary: ReturnType<typeof reportStatus>) =>
    Object.fromEntries(summary.conditions.map((c) => [c.type, [c.status, c.reason]]));

  test('OK: ready, not drifted, per-test summary without undefined p-values', () => {
    const summary = reportStatus(report({}));
    expect(conditionsOf(summary)).toEqual({
      InsufficientData: ['False', 'EnoughSamples'],
      Drifted: ['False', 'NoDrift'],
      Ready: ['True', 'Checked'],
    });
    expect(summary.status).toMatchObject({
      modelName: 'm',
      severity: 'OK',
      lastCheckTime: '2026-01-05T10:00:00Z',
      lastReport: { currentSamples: 900, referenceSamples: 4000, outcome: 'Checked' },
    });
    expect(summary.status.lastReport?.tests).toEqual([
      { feature: 'text_length', test: 'psi', statistic: 0.02, severity: 'OK' },
      { feature: 'text_length', test: 'ks', statistic: 0.05, pValue: 0.3, severity: 'OK' },
    ]);
    expect(summary.announcement.type).toBe('Normal');
  });

  test('ALERT: drifted, a Warning event naming the test', () => {
    const drifted = report({ severity: 'ALERT' });
    drifted.tests[0] = {
      ...(drifted.tests[0] as DriftReport['tests'][0]),
      statistic: 0.25,
      severity: 'ALERT',
    };
    const summary = reportStatus(drifted);
    expect(conditionsOf(summary).Drifted).toEqual(['True', 'DriftDetected']);
    expect(summary.announcement).toMatchObject({ type: 'Warning', reason: 'DriftDetected' });
    expect(summary.announcement.message).toContain('text_length psi 0.250 (ALERT)');
  });

  test('WARNING is reported but is not drift', () => {
    expect(conditionsOf(reportStatus(report({ severity: 'WARNING' }))).Drifted).toEqual(['False', 'NoDrift']);
  });

  test('too few rows: InsufficientData, drift unknown, never an alarm', () => {
    const summary = reportStatus(report({ outcome: 'InsufficientData', tests: [] }));
    expect(conditionsOf(summary)).toEqual({
      InsufficientData: ['True', 'TooFewSamples'],
      Drifted: ['Unknown', 'InsufficientData'],
      Ready: ['True', 'InsufficientData'],
    });
    expect(summary.announcement.type).toBe('Normal');
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
