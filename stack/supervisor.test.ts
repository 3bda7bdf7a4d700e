import { describe, expect, test } from 'vitest';
import { restartDelay } from './supervisor.js';

const backoff = { initialMs: 1000, maxMs: 30_000, resetAfterMs: 60_000 };

describe('restartDelay', () => {
  test('doubles from the initial delay up to the longest', () => {
    const delays: number[] = [];
    let delay: number | undefined;
    for (let restart = 0; restart < 8; restart++) {
      delay = restartDelay(delay, 500, backoff);
      delays.push(delay);
    }
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000]);
  });

  test('starts over after a run of at least resetAfterMs, not before', () => {
    expect(restartDelay(30_000, 59_999, backoff)).toBe(30_000);
    expect(restartDelay(30_000, 60_000, backoff)).toBe(1000);
  });
});
