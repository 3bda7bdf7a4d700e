import { expect, test } from 'vitest';
import { mcnemarMidP, pairedDisagreements } from './mcnemar.js';

test('only rows exactly one classifier got right count', () => {
  expect(pairedDisagreements([1, 1, 2, 2, 3], [1, 2, 2, 3, 3], [1, 1, 3, 3, 1])).toEqual({
    challengerOnly: 2,
    championOnly: 1,
  });
});

test('mid-p values match the binomial distribution by hand', () => {
  // n = 3: P(X=3) = 1/8, P(X=2) = 3/8 → mid-p(b=2) = 1/8 + 3/16 = 0.3125.
  expect(mcnemarMidP({ challengerOnly: 2, championOnly: 1 })).toBeCloseTo(0.3125, 12);
  // n = 10, b = 9: P(X=10) + P(X=9)/2 = (1 + 5) / 1024.
  expect(mcnemarMidP({ challengerOnly: 9, championOnly: 1 })).toBeCloseTo(6 / 1024, 12);
  expect(mcnemarMidP({ challengerOnly: 0, championOnly: 0 })).toBe(0.5);
  // Symmetric: the two one-sided mid-p values add up to one.
  const one = mcnemarMidP({ challengerOnly: 40, championOnly: 55 });
  const other = mcnemarMidP({ challengerOnly: 55, championOnly: 40 });
  expect(one + other).toBeCloseTo(1, 12);
});

test('large counts neither overflow nor lose the tail', () => {
  // b - c = 200 on 10,000 disagreements is 2 standard deviations: one-sided p ≈ 0.023.
  const p = mcnemarMidP({ challengerOnly: 5100, championOnly: 4900 });
  expect(p).toBeGreaterThan(0.02);
  expect(p).toBeLessThan(0.026);
  expect(mcnemarMidP({ challengerOnly: 6000, championOnly: 4000 })).toBeLessThan(1e-80);
});
