import type { QualityReport } from '@prodclass/catalog/quality/live-quality';
import { describe, expect, test } from 'vitest';
import { liveQualityDueAt, liveQualityStatus } from './live-quality-status.js';

const report: QualityReport = {
  from: new Date('2026-12-06T06:00:00Z'),
  to: new Date('2026-12-07T07:00:00Z'),
  versions: [
    {
      modelName: 'm',
      modelVersion: '4',
      served: 1000,
      labeled: 250,
      coverage: 0.25,
      accuracy: 0.7,
      weightedF1: 0.68,
      recall: { '10': 0.7 },
      labelLagP50Seconds: 3600,
      estimatedAccuracy: 0.72,
    },
    {
      modelName: 'm',
      modelVersion: '5',
      served: 40,
      labeled: 0,
      coverage: 0,
      accuracy: null,
      weightedF1: null,
      recall: {},
      labelLagP50Seconds: null,
      estimatedAccuracy: 0.5,
    },
  ],
};
const at = new Date('2026-12-07T06:30:00Z');

describe('liveQualityStatus', () => {
  test('one entry per track, from the report; numbers without labels are left out', () => {
    const status = liveQualityStatus(
      report,
      '24h',
      [
        { track: 'primary', modelVersion: '4', testAccuracy: 0.81, calibrated: true },
        { track: 'canary', modelVersion: '5' },
      ],
      at,
    );
    expect(status).toEqual({
      window: '24h',
      from: '2026-12-06T06:00:00Z',
      to: '2026-12-07T07:00:00Z',
      observedTime: '2026-12-07T06:30:00Z',
      versions: [
        {
          modelVersion: '4',
          track: 'primary',
          served: 1000,
          labeled: 250,
          coverage: 0.25,
          accuracy: 0.7,
          weightedF1: 0.68,
          labelLagP50Seconds: 3600,
          estimatedAccuracy: 0.72,
          testAccuracy: 0.81,
        },
        // Trained before calibration: its confidences estimate nothing.
        { modelVersion: '5', track: 'canary', served: 40, labeled: 0, coverage: 0 },
      ],
    });
  });

  test('a version that served nothing in the window has zeros', () => {
    const status = liveQualityStatus(report, '24h', [{ track: 'primary', modelVersion: '9' }], at);
    expect(status.versions).toEqual([
      { modelVersion: '9', track: 'primary', served: 0, labeled: 0, coverage: 0 },
    ]);
  });
});

describe('liveQualityDueAt', () => {
  const previous = liveQualityStatus(report, '24h', [{ track: 'primary', modelVersion: '4' }], at);
  const primary = [{ track: 'primary' as const, modelVersion: '4' }];

  test('an interval after the last computation', () => {
    expect(liveQualityDueAt(previous, '24h', primary, 60_000)).toEqual(new Date('2026-12-07T06:31:00Z'));
  });

  test('at once without one, for another window or other versions', () => {
    const now = new Date(0);
    expect(liveQualityDueAt(undefined, '24h', primary, 60_000)).toEqual(now);
    expect(liveQualityDueAt(previous, '7d', primary, 60_000)).toEqual(now);
    expect(liveQualityDueAt(previous, '24h', [{ track: 'primary', modelVersion: '5' }], 60_000)).toEqual(now);
    expect(
      liveQualityDueAt(previous, '24h', [...primary, { track: 'canary', modelVersion: '5' }], 60_000),
    ).toEqual(now);
  });
});
