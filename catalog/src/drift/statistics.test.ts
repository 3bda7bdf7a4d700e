import { describe, expect, test } from 'vitest';
import {
  chiSquareTest,
  jensenShannonDistance,
  kolmogorovSurvival,
  logGamma,
  populationStabilityIndex,
  regularizedUpperGamma,
} from './statistics.js';

// Expected values from scipy 1.17 (stats.kstwobign.sf, stats.chi2.sf, special.gammaincc, special.gammaln).

describe('special functions', () => {
  test('log-gamma', () => {
    expect(logGamma(0.5)).toBeCloseTo(0.5723649429247, 13);
    expect(logGamma(13)).toBeCloseTo(19.987214495661885, 12);
    expect(logGamma(100.5)).toBeCloseTo(361.43554046777757, 10);
  });

  test('regularized upper incomplete gamma, on both sides of x = a + 1', () => {
    expect(regularizedUpperGamma(2.5, 0.1)).toBeCloseTo(0.9991138612111875, 14);
    expect(regularizedUpperGamma(13, 40)).toBeCloseTo(2.0964227541285994e-7, 18);
    expect(regularizedUpperGamma(0.5, 3.84 / 2)).toBeCloseTo(0.05004352124870519, 14);
    expect(regularizedUpperGamma(13, 25)).toBeCloseTo(0.0031441216080975755, 14);
    expect(regularizedUpperGamma(5, 0.25)).toBeCloseTo(0.999993388289439, 14);
    expect(regularizedUpperGamma(13, 200) / 1.2584992537722344e-68).toBeCloseTo(1, 9);
  });

  test('Kolmogorov survival function, on both sides of the switch between its series', () => {
    const expected: [number, number][] = [
      [0.3, 0.9999906941986655],
      [0.5, 0.9639452436648751],
      [1.0, 0.26999967167735456],
      [1.17, 0.12939004218561884],
      [1.19, 0.11774229287977166],
      [1.5, 0.022217962616525127],
      [3.0, 3.045995948942526e-8],
    ];
    for (const [lambda, sf] of expected) expect(kolmogorovSurvival(lambda)).toBeCloseTo(sf, 14);
    expect(kolmogorovSurvival(0)).toBe(1);
  });
});

describe('drift statistics', () => {
  test('identical distributions score 0; disjoint ones score the maximum', () => {
    expect(populationStabilityIndex([10, 20, 30], [1, 2, 3])).toBeCloseTo(0, 15);
    expect(jensenShannonDistance([10, 20, 30], [1, 2, 3])).toBeCloseTo(0, 7);
    expect(jensenShannonDistance([5, 0], [0, 5])).toBeCloseTo(1, 15);
    expect(chiSquareTest([5, 0], [0, 5]).cramersV).toBeCloseTo(1, 15);
  });

  test('an empty bin counts as a share of 1e-4 in PSI', () => {
    // (0.5 - 1e-4)·ln(0.5 / 1e-4) + (0.5 - 1)·ln(0.5 / 1)
    expect(populationStabilityIndex([10, 0], [5, 5])).toBeCloseTo(
      (0.5 - 1e-4) * Math.log(0.5 / 1e-4) + (0.5 - 1) * Math.log(0.5),
      12,
    );
  });

  test('chi-square leaves out categories empty in both windows', () => {
    expect(chiSquareTest([10, 0, 20], [12, 0, 18])).toEqual(chiSquareTest([10, 20], [12, 18]));
    expect(chiSquareTest([10, 0], [12, 0])).toEqual({
      chiSquare: 0,
      degreesOfFreedom: 0,
      pValue: 1,
      cramersV: 0,
    });
  });
});
