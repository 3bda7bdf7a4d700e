import { describe, expect, test } from 'vitest';
import { decidePromotion } from './rule.js';

describe('decidePromotion', () => {
  test('the threshold applies even when there is no champion', () => {
    expect(decidePromotion({ challengerF1: 0.69, minF1: 0.7 }).decision).toBe('reject');
    expect(decidePromotion({ challengerF1: 0.7, minF1: 0.7 }).decision).toBe('promote');
  });

  test('the threshold applies even when the challenger beats the champion', () => {
    const decision = decidePromotion({ challengerF1: 0.6, minF1: 0.7, champion: { version: 1, f1: 0.5 } });
    expect(decision).toEqual({ decision: 'reject', reason: expect.stringMatching(/below the threshold/) });
  });

  test('a challenger must be strictly better than the champion', () => {
    const champion = { version: 3, f1: 0.8 };
    expect(decidePromotion({ challengerF1: 0.8, minF1: 0.7, champion }).decision).toBe('reject');
    const better = decidePromotion({ challengerF1: 0.81, minF1: 0.7, champion });
    expect(better.decision).toBe('promote');
    expect(better.reason).toContain('v3');
  });

  test('a NaN score is never promoted', () => {
    expect(decidePromotion({ challengerF1: Number.NaN, minF1: 0 }).decision).toBe('reject');
  });
});
