import { describe, expect, test } from 'vitest';
import {
  agreementCheck,
  errorRateCheck,
  firstFailure,
  isMeasured,
  latencyCheck,
  type QualityEvidence,
  qualityChecks,
  shadowLatencyCheck,
} from './checks.js';

const thresholds = {
  minAgreement: 0.8,
  maxErrorRate: 0.01,
  maxLatencyP99Seconds: 0.5,
  maxAccuracyDrop: 0.02,
};

describe('traffic checks', () => {
  test('agreement below the threshold fails with its numbers', () => {
    const check = agreementCheck(2_310, 947, thresholds);
    expect(check).toMatchObject({ name: 'agreement', samples: 2_310, threshold: 0.8, passed: false });
    expect(check.message).toBe('agreement 0.41 < 0.80 over 2,310 shadow requests');
    expect(firstFailure([check])).toBe(check);
  });

  test('agreement at the threshold passes', () => {
    expect(agreementCheck(10, 8, thresholds)).toMatchObject({
      passed: true,
      message: 'agreement 0.80 ≥ 0.80 over 10 shadow requests',
    });
  });

  test('no shadow requests: agreement not measured, not failed', () => {
    const check = agreementCheck(0, 0, thresholds);
    expect(check.passed).toBe(false);
    expect(isMeasured(check)).toBe(false);
    expect(check.message).toMatch(/not measured/);
    expect(firstFailure([check])).toBeUndefined();
  });

  test('error rate and p99 latency of the canary', () => {
    expect(errorRateCheck(1_204, 39, thresholds)).toMatchObject({
      passed: false,
      value: 39 / 1_204,
      message: 'error rate 3.2% > 1.0% (39 5xx) over 1,204 candidate requests',
    });
    expect(latencyCheck(1_204, 0.73, thresholds)).toMatchObject({
      passed: false,
      message: 'p99 latency 730 ms > 500 ms over 1,204 candidate requests',
    });
    expect(latencyCheck(1_204, 0.004, thresholds).passed).toBe(true);
    expect(isMeasured(latencyCheck(0, undefined, thresholds))).toBe(false);
    expect(isMeasured(errorRateCheck(0, 0, thresholds))).toBe(false);
  });

  test("the shadow step reports the candidate's model time, when it has one", () => {
    expect(shadowLatencyCheck(100, 2.5, thresholds)?.message).toBe(
      'candidate model time p99 2.50 ms ≤ 500 ms over 100 shadow requests',
    );
    expect(shadowLatencyCheck(0, null, thresholds)).toBeUndefined();
  });
});

describe('quality checks', () => {
  const evidence = (overrides: Partial<QualityEvidence>): QualityEvidence => ({
    step: 'shadow',
    labelled: { pairs: 0, championRight: 0, candidateRight: 0, championOnly: 0, candidateOnly: 0 },
    confidences: { predictions: 500, champion: 0.8, candidate: 0.7 },
    championCalibrated: true,
    candidateCalibrated: true,
    championVersion: '3',
    candidateVersion: '4',
    ...overrides,
  });

  test('enough labels: the sequential test decides, and a clear drop fails', () => {
    const labelled = {
      pairs: 400,
      championRight: 320,
      candidateRight: 256,
      championOnly: 100,
      candidateOnly: 36,
    };
    const checks = qualityChecks(evidence({ labelled }), thresholds);
    expect(checks.map((check) => check.name)).toEqual(['liveAccuracy', 'sequentialTest']);
    const failed = firstFailure(checks);
    expect(failed?.name).toBe('liveAccuracy');
    expect(failed?.message).toMatch(
      /^live accuracy 0\.64 vs 0\.80 of the champion over 400 labelled shadow pairs: a drop above 0\.02 \(sequential test evidence [\d.e+]+ ≥ 20\)$/,
    );
  });

  test('enough labels and a small drop: no evidence yet, passed', () => {
    const labelled = { pairs: 100, championRight: 80, candidateRight: 79, championOnly: 5, candidateOnly: 4 };
    const checks = qualityChecks(evidence({ labelled, step: 'canary' }), thresholds);
    expect(checks.every((check) => check.passed)).toBe(true);
    expect(checks[0]?.message).toMatch(/over 100 labelled predictions of each version: no evidence/);
  });

  test('few labels, calibrated versions: the estimated accuracies', () => {
    const [check] = qualityChecks(evidence({}), thresholds);
    expect(check).toMatchObject({ name: 'estimatedAccuracy', passed: false, value: 0.7, samples: 500 });
    expect(check?.message).toBe(
      "estimated accuracy 0.70 < 0.78 (the champion's 0.80 − 0.02) over 500 shadow requests, 0 labelled shadow pairs (the sequential test needs 30)",
    );
  });

  test('few labels and an uncalibrated version: not measured, says why', () => {
    const checks = qualityChecks(evidence({ candidateCalibrated: false }), thresholds);
    expect(checks).toHaveLength(1);
    expect(checks[0]?.message).toBe(
      'live accuracy not measured: 0 labelled shadow pairs, the sequential test needs 30; version 4 serves uncalibrated confidences, so no estimate',
    );
    expect(firstFailure(checks)).toBeUndefined();
  });
});
