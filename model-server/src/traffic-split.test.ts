import { describe, expect, test } from 'vitest';
import { productBucket, routesToCandidate } from './traffic-split.js';

describe('routesToCandidate', () => {
  test('a product goes the same way every time, and raising the weight only adds products', () => {
    for (let productid = 0; productid < 2_000; productid++) {
      const at10 = routesToCandidate(productid, 10);
      expect(routesToCandidate(productid, 10)).toBe(at10);
      if (at10) expect(routesToCandidate(productid, 50)).toBe(true);
    }
  });

  test('weights 0 and 100 send nothing and everything', () => {
    expect(routesToCandidate(42, 0)).toBe(false);
    expect(routesToCandidate(undefined, 0)).toBe(false);
    expect(routesToCandidate(42, 100)).toBe(true);
    expect(routesToCandidate(undefined, 100)).toBe(true);
  });

  test('consecutive and large productids spread evenly over the buckets', () => {
    for (const start of [0, 1_000_000, 2 ** 53 - 200_000]) {
      const tenths = new Array<number>(10).fill(0);
      for (let productid = start; productid < start + 100_000; productid++) {
        tenths[Math.floor(productBucket(productid) / 1_000)]++;
      }
      for (const count of tenths) expect(Math.abs(count - 10_000)).toBeLessThan(500);
    }
  });
});
