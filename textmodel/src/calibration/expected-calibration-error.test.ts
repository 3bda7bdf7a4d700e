import { describe, expect, it } from 'vitest';
import { confidenceOutcomes, expectedCalibrationError } from './expected-calibration-error.js';

describe('expected calibration error', () => {
  it('weights each bin’s |accuracy − confidence| by its share of the rows', () => {
    // Bin (0.8667, 0.9333]: 0.9, 0.9 with one hit of two → |0.5 − 0.9| · 2/4.
    // Bin (0.2, 0.2667]: 0.25, 0.25, both hits → |1 − 0.25| · 2/4.
    const error = expectedCalibrationError([0.9, 0.9, 0.25, 0.25], [true, false, true, true]);
    expect(error).toBeCloseTo(0.4 * 0.5 + 0.75 * 0.5, 12);
  });

  it('is 0 for a perfectly calibrated bin and puts a confidence on an edge in the lower bin, as scikit-learn does', () => {
    expect(expectedCalibrationError([0.5, 0.5], [true, false])).toBe(0);
    // 1/15 lies on the first edge: with 0.05 in bin 0 the bin's mean confidence is their mean.
    const edge = 1 / 15;
    expect(expectedCalibrationError([edge, 0.05], [false, false], 15)).toBeCloseTo((edge + 0.05) / 2, 12);
    expect(expectedCalibrationError([1, 0], [true, false])).toBe(0);
  });

  it('takes each row’s largest probability, the first of equals, as its confidence', () => {
    const { confidences, correct } = confidenceOutcomes(Float64Array.from([0.2, 0.8, 0.5, 0.5]), 2, [1, 1]);
    expect(Array.from(confidences)).toEqual([0.8, 0.5]);
    expect(correct).toEqual([true, false]);
  });

  it('refuses no rows and mismatched lengths', () => {
    expect(() => expectedCalibrationError([], [])).toThrow(/at least one row/);
    expect(() => expectedCalibrationError([0.5], [true, false])).toThrow(/1 confidences and 2 outcomes/);
  });
});
