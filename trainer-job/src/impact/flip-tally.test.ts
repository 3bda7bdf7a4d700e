import { expect, test } from 'vitest';
import { FlipTally } from './flip-tally.js';

test('counts changed products over batches and lists the largest flips first', () => {
  const tally = new FlipTally();
  tally.add([10, 10, 20, 30], [10, 40, 50, 40]);
  tally.add([10, 20, 20, 30], [40, 50, 20, 30]);
  expect(tally.summary(2)).toEqual({
    products: 8,
    changed: 5,
    changedShare: 0.625,
    flips: [
      { from: 10, to: 40, count: 2 },
      { from: 20, to: 50, count: 2 },
    ],
  });
  expect(tally.summary(10).flips).toEqual([
    { from: 10, to: 40, count: 2 },
    { from: 20, to: 50, count: 2 },
    { from: 30, to: 40, count: 1 },
  ]);
});

test('no products: nothing changed, share 0', () => {
  expect(new FlipTally().summary(10)).toEqual({ products: 0, changed: 0, changedShare: 0, flips: [] });
});

test('batches of different lengths are refused', () => {
  expect(() => new FlipTally().add([1], [])).toThrow(/1 predictions against 0/);
});
