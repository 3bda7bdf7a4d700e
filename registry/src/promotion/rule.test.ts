import { describe, expect, test } from 'vitest';
import { type ChampionComparison, decidePromotion } from './rule.js';

const champion = (overrides: Partial<ChampionComparison> = {}): ChampionComparison => ({
  version: 3,
  f1: 0.8,
  challengerF1: 0.82,
  rows: 2000,
  excludedRows: 12,
  challengerOnly: 90,
  championOnly: 50,
  midP: 0.0004,
  ...overrides,
});
const rule = { minF1: 0.7, minComparisonRows: 500 };

describe('decidePromotion', () => {
  test('the threshold applies even when there is no champion', () => {
    expect(decidePromotion({ ...rule, challengerF1: 0.69 }).decision).toBe('reject');
    expect(decidePromotion({ ...rule, challengerF1: 0.7 }).decision).toBe('promote');
  });

  test('the threshold applies even when the challenger beats the champion', () => {
    const decision = decidePromotion({ ...rule, challengerF1: 0.6, champion: champion({ f1: 0.5 }) });
    expect(decision).toEqual({ decision: 'reject', reason: expect.stringMatching(/below the threshold/) });
  });

  test('a significantly better challenger is promoted, and the reason gives both scores, the rows and the test', () => {
    const better = decidePromotion({ ...rule, challengerF1: 0.81, champion: champion() });
    expect(better.decision).toBe('promote');
    expect(better.reason).toContain('weighted F1 0.8200 vs champion v3 0.8000 on 2000 shared held-out rows');
    expect(better.reason).toContain('(12 it trained on left out)');
    expect(better.reason).toContain(
      'challenger alone right on 90, champion alone on 50, one-sided mid-p 0.0004',
    );
  });

  test('a higher F1 that could be noise is not enough, nor a significant test with a lower F1', () => {
    const noise = decidePromotion({ ...rule, challengerF1: 0.81, champion: champion({ midP: 0.2 }) });
    expect(noise).toEqual({
      decision: 'reject',
      reason: expect.stringMatching(/does not beat the champion significantly/),
    });
    const lowerF1 = decidePromotion({
      ...rule,
      challengerF1: 0.81,
      champion: champion({ challengerF1: 0.79 }),
    });
    expect(lowerF1.decision).toBe('reject');
    const equal = decidePromotion({ ...rule, challengerF1: 0.81, champion: champion({ challengerF1: 0.8 }) });
    expect(equal.decision).toBe('reject');
  });

  test('too few rows the champion never trained on: no comparison, no promotion', () => {
    const decision = decidePromotion({ ...rule, challengerF1: 0.9, champion: champion({ rows: 499 }) });
    expect(decision.decision).toBe('reject');
    expect(decision.reason).toMatch(
      /cannot compare with champion v3: only 499 .* fewer than the minimum 500/,
    );
  });

  test('a NaN score is never promoted', () => {
    expect(decidePromotion({ ...rule, challengerF1: Number.NaN, minF1: 0 }).decision).toBe('reject');
  });
});
