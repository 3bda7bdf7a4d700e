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
  perClass: {},
  challengerPerClass: {},
  ...overrides,
});
const rule = {
  minF1: 0.7,
  minComparisonRows: 500,
  guardrails: { maxClassDrop: 0.1, criticalClasses: {} },
  challengerPerClass: {},
};

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

  test('a class that loses more than the margin stops an otherwise better challenger, named with both numbers', () => {
    const perClass = {
      10: { f1: 0.8, recall: 0.9, support: 40 },
      2583: { f1: 0.9, recall: 0.9, support: 300 },
    };
    const decision = decidePromotion({
      ...rule,
      challengerF1: 0.85,
      champion: champion({
        perClass,
        challengerPerClass: { ...perClass, 10: { f1: 0.75, recall: 0.775, support: 40 } },
      }),
    });
    expect(decision).toEqual({
      decision: 'reject',
      reason:
        'class 10: recall 0.7750 vs champion v3 0.9000 on 40 shared held-out products, a drop of 0.1250 > the allowed 0.1000',
    });
    const within = decidePromotion({
      ...rule,
      challengerF1: 0.85,
      champion: champion({
        perClass,
        challengerPerClass: { ...perClass, 10: { f1: 0.75, recall: 0.8, support: 40 } },
      }),
    });
    expect(within.decision).toBe('promote');
  });

  test('a class with fewer than 20 shared rows is not judged for a drop', () => {
    const perClass = { 40: { f1: 0.9, recall: 0.9, support: 19 } };
    const decision = decidePromotion({
      ...rule,
      challengerF1: 0.85,
      champion: champion({ perClass, challengerPerClass: { 40: { f1: 0.5, recall: 0.5, support: 19 } } }),
    });
    expect(decision.decision).toBe('promote');
  });

  test('a critical class under its floor is refused, with or without a champion', () => {
    const guarded = { ...rule, guardrails: { maxClassDrop: 0.1, criticalClasses: { 2583: 0.95 } } };
    const challengerPerClass = { 2583: { f1: 0.96, recall: 0.93, support: 210 } };
    const expected = {
      decision: 'reject',
      reason: 'critical class 2583: recall 0.9300 is below its floor 0.9500 (210 held-out products)',
    };
    expect(decidePromotion({ ...guarded, challengerF1: 0.9, challengerPerClass })).toEqual(expected);
    expect(
      decidePromotion({ ...guarded, challengerF1: 0.9, challengerPerClass, champion: champion() }),
    ).toEqual(expected);
    const kept = { 2583: { f1: 0.95, recall: 0.97, support: 210 } };
    expect(decidePromotion({ ...guarded, challengerF1: 0.9, challengerPerClass: kept }).decision).toBe(
      'promote',
    );
    expect(decidePromotion({ ...guarded, challengerF1: 0.9 }).reason).toBe(
      'critical class 2583 has no held-out products: its floor 0.9500 cannot be checked',
    );
  });
});
