/**
 * A sequential test of "the candidate's accuracy is lower than the champion's by more than
 * maxDrop", valid however often it is looked at (docs/operator.md#rollout-analysis).
 *
 * Each labelled pair compares the two models on one product (shadow: the same request; canary:
 * the i-th labelled prediction of each) and scores d = candidate right − champion right: −1 when
 * only the champion is right, +1 when only the candidate is, 0 when both or neither are. The null
 * hypothesis is E[d] ≥ −maxDrop (an acceptable candidate). For a betting fraction λ in
 * [0, 1/(1 + maxDrop)), the capital Π (1 − λ (dᵢ + maxDrop)) is a nonnegative supermartingale
 * with initial value 1 under the null, and so is an average of such capitals over a fixed grid of
 * λ ("testing by betting", Shafer 2021; Waudby-Smith & Ramdas 2024). By Ville's inequality the
 * probability that it ever reaches 1/α is at most α: a candidate whose drop is at most maxDrop is
 * failed with probability at most α (5 %) however many times the rollout re-analyses its step.
 * When the true drop exceeds maxDrop the capital grows exponentially, so such a candidate is
 * failed eventually (a power-one test). Each capital depends only on the counts of −1, 0 and +1,
 * not their order, so the counts are all the test needs.
 */

export interface PairedOutcomes {
  /** Pairs only the champion predicted right (d = −1). */
  championOnly: number;
  /** Pairs only the candidate predicted right (d = +1). */
  candidateOnly: number;
  /** Pairs both or neither predicted right (d = 0). */
  ties: number;
}

export interface AccuracyDropDecision {
  /** The mixture capital: the evidence against "the drop is at most maxDrop". */
  evidence: number;
  /** 1/α: the evidence at which the test rejects. */
  threshold: number;
  /** The evidence reached the threshold: the candidate's drop exceeds maxDrop. */
  rejected: boolean;
}

/** The test's level: the chance of failing a candidate that is within maxDrop. */
export const accuracyDropAlpha = 0.05;
/** Betting fractions, as shares of the largest one that keeps the capital positive. */
const betGrid = Array.from({ length: 20 }, (_, index) => (index + 1) / 21);

/** log Σ exp(values), without overflow. */
function logSumExp(values: number[]): number {
  const top = Math.max(...values);
  if (top === Number.NEGATIVE_INFINITY) return top;
  return top + Math.log(values.reduce((sum, value) => sum + Math.exp(value - top), 0));
}

/** The test's evidence after `outcomes`, and whether it rejects at level `alpha`. */
export function accuracyDropTest(
  outcomes: PairedOutcomes,
  maxDrop: number,
  alpha = accuracyDropAlpha,
): AccuracyDropDecision {
  if (!(maxDrop >= 0 && maxDrop < 1)) throw new RangeError(`maxDrop must be in [0, 1), got ${maxDrop}`);
  const { championOnly, candidateOnly, ties } = outcomes;
  const largest = 1 / (1 + maxDrop);
  const logCapitals = betGrid.map((share) => {
    const lambda = share * largest;
    // 1 − λ(d + maxDrop) for d = −1, +1 and 0.
    return (
      championOnly * Math.log1p(lambda * (1 - maxDrop)) +
      candidateOnly * Math.log1p(-lambda * (1 + maxDrop)) +
      ties * Math.log1p(-lambda * maxDrop)
    );
  });
  const evidence = Math.exp(logSumExp(logCapitals) - Math.log(betGrid.length));
  const threshold = 1 / alpha;
  return { evidence, threshold, rejected: evidence >= threshold };
}
