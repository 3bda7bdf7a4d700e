import type { DriftReport } from '@prodclass/catalog/drift/report';
import { describe, expect, test } from 'vitest';
import { isDrift, reportStatus } from './report-status.js';

test('drift is a checked report of severity ALERT or CRITICAL', () => {
  expect(isDrift({ outcome: 'Checked', severity: 'ALERT' })).toBe(true);
  expect(isDrift({ outcome: 'Checked', severity: 'CRITICAL' })).toBe(true);
  expect(isDrift({ outcome: 'Checked', severity: 'WARNING' })).toBe(false);
  expect(isDrift({ outcome: 'InsufficientData', severity: 'CRITICAL' })).toBe(false);
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

  test('a moved OOV share carries its new words into the status and names the first five in the event', () => {
    const unknownWords = ['zorglub', 'vintrex', 'qwpl', 'flarn', 'brimz', 'oxtel'].map((word, index) => ({
      word,
      count: 60 - index * 10,
    }));
    const summary = reportStatus(
      report({
        severity: 'ALERT',
        tests: [
          {
            feature: 'tokens',
            test: 'oov_share',
            statistic: 0.22,
            pValue: null,
            bins: { reference: [], current: [] },
            severity: 'ALERT',
            unknownWords,
          },
        ],
      }),
    );
    expect(summary.status.lastReport?.tests[0]?.unknownWords).toEqual(unknownWords);
    expect(summary.announcement.message).toContain(
      'tokens oov_share 0.220 (ALERT) new words: zorglub ×60, vintrex ×50, qwpl ×40, flarn ×30, brimz ×20',
    );
    expect(summary.announcement.message).not.toContain('oxtel');
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

  const performance = (labeled: number, liveAccuracy: number | null) => ({
    modelVersion: '3',
    served: 1000,
    labeled,
    minLabels: 200,
    liveAccuracy,
    estimatedAccuracy: null,
    testAccuracy: 0.8,
    insufficientLabels: labeled < 200,
    judgedOn: labeled < 200 ? null : ('labels' as const),
  });

  test('a graded performance test: its statistic and what it compared', () => {
    const summary = reportStatus(
      report({
        severity: 'ALERT',
        tests: [
          {
            feature: 'accuracy',
            test: 'performance',
            statistic: 0.25,
            pValue: null,
            bins: { reference: [], current: [] },
            severity: 'ALERT',
            performance: performance(400, 0.55),
          },
        ],
      }),
    );
    expect(summary.status.lastReport?.tests).toEqual([
      {
        feature: 'accuracy',
        test: 'performance',
        statistic: 0.25,
        severity: 'ALERT',
        performance: {
          modelVersion: '3',
          labeled: 400,
          minLabels: 200,
          liveAccuracy: 0.55,
          testAccuracy: 0.8,
          insufficientLabels: false,
          judgedOn: 'labels',
        },
      },
    ]);
    expect(conditionsOf(summary).Drifted).toEqual(['True', 'DriftDetected']);
    expect(summary.announcement.message).toContain('accuracy performance 0.250 (ALERT)');
  });

  test('a performance test with too few labels stays in the summary, without a statistic', () => {
    const summary = reportStatus(
      report({
        tests: [
          {
            feature: 'accuracy',
            test: 'performance',
            statistic: 0,
            pValue: null,
            bins: { reference: [], current: [] },
            severity: 'OK',
            notApplicable: 'insufficient labels: 12 labeled predictions of version 3, minLabels is 200',
            performance: performance(12, 0.5),
          },
        ],
      }),
    );
    const [test] = summary.status.lastReport?.tests ?? [];
    expect(test).not.toHaveProperty('statistic');
    expect(test).toMatchObject({ severity: 'OK', performance: { labeled: 12, insufficientLabels: true } });
    expect(summary.announcement.message).toContain(
      'performance not judged: insufficient labels (12 of version 3, minLabels 200)',
    );
  });

  test('too few labels but calibrated confidences: graded on the estimate, and the message says so', () => {
    const summary = reportStatus(
      report({
        severity: 'ALERT',
        tests: [
          {
            feature: 'accuracy',
            test: 'performance',
            statistic: 0.22,
            pValue: null,
            bins: { reference: [], current: [] },
            severity: 'ALERT',
            performance: { ...performance(12, 0.5), estimatedAccuracy: 0.58, judgedOn: 'estimate' },
          },
        ],
      }),
    );
    const [test] = summary.status.lastReport?.tests ?? [];
    expect(test).toMatchObject({
      statistic: 0.22,
      severity: 'ALERT',
      performance: { labeled: 12, estimatedAccuracy: 0.58, insufficientLabels: true, judgedOn: 'estimate' },
    });
    expect(conditionsOf(summary).Drifted).toEqual(['True', 'DriftDetected']);
    expect(summary.announcement.message).toContain(
      'performance judged on the estimated accuracy: insufficient labels (12 of version 3, minLabels 200)',
    );
  });
});
