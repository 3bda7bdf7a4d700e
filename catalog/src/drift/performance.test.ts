import { describe, expect, test } from 'vitest';
import type { LiveQuality } from '../quality/live-quality.js';
import { measurePerformance } from './performance.js';

const quality = (labeled: number, accuracy: number | null): LiveQuality => ({
  modelName: 'm',
  modelVersion: '3',
  served: 1000,
  labeled,
  coverage: labeled / 1000,
  accuracy,
  weightedF1: accuracy,
  recall: {},
  labelLagP50Seconds: labeled ? 60 : null,
  estimatedAccuracy: 0.7,
});
const reference = { modelVersion: '3', testAccuracy: 0.8, minLabels: 200, calibrated: false };
const calibrated = { ...reference, calibrated: true };

describe('measurePerformance', () => {
  test('the statistic is test accuracy minus live accuracy', () => {
    const outcome = measurePerformance(reference, quality(250, 0.62));
    expect('statistic' in outcome && outcome.statistic).toBeCloseTo(0.18, 12);
    expect(outcome.performance).toEqual({
      modelVersion: '3',
      served: 1000,
      labeled: 250,
      minLabels: 200,
      liveAccuracy: 0.62,
      estimatedAccuracy: null,
      testAccuracy: 0.8,
      insufficientLabels: false,
      judgedOn: 'labels',
    });
  });

  test('better live than on the test set scores below zero', () => {
    const outcome = measurePerformance(reference, quality(200, 0.9));
    expect('statistic' in outcome && outcome.statistic).toBeCloseTo(-0.1, 12);
  });

  test('fewer labels than minLabels and uncalibrated confidences: insufficient labels, not graded', () => {
    const outcome = measurePerformance(reference, quality(199, 0.1));
    expect(outcome).not.toHaveProperty('statistic');
    expect(outcome).toMatchObject({
      notApplicable:
        'insufficient labels: 199 labeled predictions of version 3, minLabels is 200, and it serves uncalibrated confidences (trained before calibration), so no estimate',
      performance: {
        labeled: 199,
        liveAccuracy: 0.1,
        estimatedAccuracy: null,
        insufficientLabels: true,
        judgedOn: null,
      },
    });
  });

  test('fewer labels than minLabels and calibrated confidences: graded on the estimated accuracy', () => {
    const outcome = measurePerformance(calibrated, quality(199, 0.1));
    expect('statistic' in outcome && outcome.statistic).toBeCloseTo(0.1, 12);
    expect(outcome.performance).toMatchObject({
      estimatedAccuracy: 0.7,
      insufficientLabels: true,
      judgedOn: 'estimate',
    });
  });

  test('with enough labels the live accuracy is what counts, even when there is an estimate', () => {
    const outcome = measurePerformance(calibrated, quality(200, 0.5));
    expect('statistic' in outcome && outcome.statistic).toBeCloseTo(0.3, 12);
    expect(outcome.performance).toMatchObject({ estimatedAccuracy: 0.7, judgedOn: 'labels' });
  });

  test('a version that served nothing in the window has no labels', () => {
    expect(measurePerformance(calibrated, undefined)).toMatchObject({
      performance: {
        served: 0,
        labeled: 0,
        liveAccuracy: null,
        estimatedAccuracy: null,
        insufficientLabels: true,
      },
    });
  });

  test('an unknown reference is not applicable, with its reason', () => {
    expect(measurePerformance({ unknown: 'no test_accuracy' }, quality(500, 0.5))).toEqual({
      notApplicable: 'no test_accuracy',
    });
    expect(measurePerformance(undefined, quality(500, 0.5))).toHaveProperty('notApplicable');
  });
});
