import { expect, test } from 'vitest';
import { medianRun } from './median-run.js';

const run = (fit_seconds: number, round: number) => ({ fit_seconds, round });

test('the median run of an odd number of runs, whatever their order', () => {
  expect(medianRun([run(9, 1), run(3, 2), run(5, 3)])).toEqual(run(5, 3));
  expect(medianRun([run(2, 1), run(30, 2), run(4, 3), run(1, 4), run(7, 5)])).toEqual(run(4, 3));
});

test('the lower middle run of an even number, and the only run of one', () => {
  expect(medianRun([run(8, 1), run(2, 2), run(6, 3), run(4, 4)])).toEqual(run(4, 4));
  expect(medianRun([run(3, 1)])).toEqual(run(3, 1));
});

test('no runs is an error, not undefined', () => {
  expect(() => medianRun([])).toThrow('at least one run');
});
