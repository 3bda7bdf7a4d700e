import { describe, expect, test } from 'vitest';
import { accuracyDropTest, type PairedOutcomes } from './accuracy-drop-test.js';

/** A small seeded generator (mulberry32), so the simulations are the same on every run. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * Labelled pairs drawn one at a time, the test looked at after every one (continuous monitoring);
 * the number of pairs after which it first rejected, or undefined.
 */
function firstRejection(
  next: () => number,
  chances: { championOnly: number; candidateOnly: number },
  maxDrop: number,
  pairs: number,
): number | undefined {
  const outcomes: PairedOutcomes = { championOnly: 0, candidateOnly: 0, ties: 0 };
  for (let pair = 1; pair <= pairs; pair++) {
    const draw = next();
    if (draw < chances.championOnly) outcomes.championOnly++;
    else if (draw < chances.championOnly + chances.candidateOnly) outcomes.candidateOnly++;
    else outcomes.ties++;
    if (accuracyDropTest(outcomes, maxDrop).rejected) return pair;
  }
  return undefined;
}

describe('accuracyDropTest', () => {
  test('no pairs, no evidence', () => {
    expect(accuracyDropTest({ championOnly: 0, candidateOnly: 0, ties: 0 }, 0.02)).toEqual({
      evidence: 1,
      threshold: 20,
      rejected: false,
    });
  });

  test('a candidate dropping 0.16 with 400 labelled pairs is rejected; one dropping 0.01 is not', () => {
    expect(accuracyDropTest({ championOnly: 100, candidateOnly: 36, ties: 264 }, 0.02).rejected).toBe(true);
    expect(accuracyDropTest({ championOnly: 40, candidateOnly: 36, ties: 324 }, 0.02).rejected).toBe(false);
  });

  test('a better candidate builds no evidence, however many pairs', () => {
    const decision = accuracyDropTest({ championOnly: 1_000, candidateOnly: 1_500, ties: 50_000 }, 0.02);
    expect(decision.evidence).toBeLessThan(1);
    expect(decision.rejected).toBe(false);
  });

  test('the evidence grows with the drop', () => {
    const evidence = [0.02, 0.05, 0.1].map(
      (drop) =>
        accuracyDropTest({ championOnly: 100 + drop * 1_000, candidateOnly: 100, ties: 800 }, 0.02).evidence,
    );
    expect(evidence[0]).toBeLessThan(evidence[1] as number);
    expect(evidence[1]).toBeLessThan(evidence[2] as number);
  });

  test('looked at after every pair, a candidate dropping exactly maxDrop is failed in at most 5 % of rollouts', () => {
    const next = random(7);
    const rollouts = 400;
    let failed = 0;
    // Drop 0.02 = 0.12 − 0.10: at the null hypothesis' boundary, the hardest case.
    for (let rollout = 0; rollout < rollouts; rollout++) {
      if (firstRejection(next, { championOnly: 0.12, candidateOnly: 0.1 }, 0.02, 3_000)) failed++;
    }
    expect(failed / rollouts).toBeLessThanOrEqual(0.05);
  });

  test('looked at after every pair, a candidate dropping 0.08 is failed in nearly every rollout', () => {
    const next = random(11);
    const rollouts = 100;
    const stops: number[] = [];
    for (let rollout = 0; rollout < rollouts; rollout++) {
      const stop = firstRejection(next, { championOnly: 0.16, candidateOnly: 0.08 }, 0.02, 3_000);
      if (stop !== undefined) stops.push(stop);
    }
    expect(stops.length / rollouts).toBeGreaterThanOrEqual(0.95);
  });

  test('maxDrop outside [0, 1) is refused', () => {
    expect(() => accuracyDropTest({ championOnly: 1, candidateOnly: 0, ties: 0 }, 1)).toThrow(/maxDrop/);
  });
});
