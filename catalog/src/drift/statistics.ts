/**
 * The drift statistics, computed from counts (bins, classes) that PostgreSQL aggregated. Each one
 * is checked against scipy/numpy on the same counts in test/drift (docs/drift.md).
 */

/** Stands in for an empty bin's share in PSI, whose log ratio is otherwise infinite. */
export const psiEmptyBinShare = 1e-4;

function shares(counts: readonly number[]): number[] {
  const total = counts.reduce((sum, count) => sum + count, 0);
  return counts.map((count) => (total === 0 ? 0 : count / total));
}

/** Population stability index: Σ (c − r)·ln(c / r) over the bins' shares, empty shares as psiEmptyBinShare. */
export function populationStabilityIndex(reference: readonly number[], current: readonly number[]): number {
  const referenceShares = shares(reference);
  const currentShares = shares(current);
  let psi = 0;
  for (let bin = 0; bin < referenceShares.length; bin++) {
    const r = Math.max(referenceShares[bin] as number, psiEmptyBinShare);
    const c = Math.max(currentShares[bin] as number, psiEmptyBinShare);
    psi += (c - r) * Math.log(c / r);
  }
  return psi;
}

/** Jensen-Shannon distance in base 2 (0 to 1): scipy.spatial.distance.jensenshannon(p, q, base=2). */
export function jensenShannonDistance(reference: readonly number[], current: readonly number[]): number {
  const p = shares(reference);
  const q = shares(current);
  let divergence = 0;
  for (let bin = 0; bin < p.length; bin++) {
    const pi = p[bin] as number;
    const qi = q[bin] as number;
    const mi = (pi + qi) / 2;
    if (pi > 0) divergence += pi * Math.log(pi / mi);
    if (qi > 0) divergence += qi * Math.log(qi / mi);
  }
  return Math.sqrt(Math.max(divergence / 2, 0) / Math.LN2);
}

/**
 * Survival function of the Kolmogorov distribution, P(K > λ): scipy.stats.kstwobign.sf. Two
 * series, each used where it converges in a few terms.
 */
export function kolmogorovSurvival(lambda: number): number {
  if (lambda <= 0) return 1;
  if (lambda < 1.18) {
    const factor = -(Math.PI * Math.PI) / (8 * lambda * lambda);
    let cdf = 0;
    for (let k = 1; k <= 20; k++) cdf += Math.exp(factor * (2 * k - 1) * (2 * k - 1));
    return 1 - (Math.sqrt(2 * Math.PI) / lambda) * cdf;
  }
  let sf = 0;
  for (let k = 1; k <= 100; k++) {
    const term = Math.exp(-2 * k * k * lambda * lambda);
    sf += (k % 2 === 1 ? 2 : -2) * term;
    if (term < 1e-300) break;
  }
  return Math.min(Math.max(sf, 0), 1);
}

/**
 * Asymptotic p-value of a two-sample KS statistic D from samples of n1 and n2:
 * P(K > D·√(n1·n2/(n1+n2))) under the Kolmogorov limiting distribution.
 */
export function kolmogorovSmirnovPValue(d: number, n1: number, n2: number): number {
  return kolmogorovSurvival(d * Math.sqrt((n1 * n2) / (n1 + n2)));
}

// Lanczos approximation (g = 7, 9 coefficients), relative error below 1e-15 for x > 0.
const lanczos = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const z = x - 1;
  let sum = lanczos[0] as number;
  for (let i = 1; i < lanczos.length; i++) sum += (lanczos[i] as number) / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/**
 * Regularized upper incomplete gamma Q(a, x) = Γ(a, x)/Γ(a): the series for P below x = a + 1,
 * the continued fraction (modified Lentz) for Q above it, so neither is used where it converges
 * slowly or cancels.
 */
export function regularizedUpperGamma(a: number, x: number): number {
  if (x <= 0) return 1;
  const logPrefix = a * Math.log(x) - x - logGamma(a);
  if (x < a + 1) {
    let term = 1 / a;
    let sum = term;
    for (let n = 1; n < 10_000; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * 1e-17) break;
    }
    return 1 - Math.exp(logPrefix) * sum;
  }
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let fraction = d;
  for (let n = 1; n < 10_000; n++) {
    const an = -n * (n - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    fraction *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(logPrefix) * fraction;
}

export interface ChiSquareResult {
  chiSquare: number;
  degreesOfFreedom: number;
  pValue: number;
  /** √(χ²/N) for a 2×k table: 0 for identical mixes, 1 for disjoint ones. */
  cramersV: number;
}

/**
 * Pearson's χ² test of independence on the 2×k table (reference, current) × categories, without
 * continuity correction: scipy.stats.chi2_contingency(table, correction=False) for k > 2.
 * Categories empty in both rows are left out (their expected count is 0).
 */
export function chiSquareTest(reference: readonly number[], current: readonly number[]): ChiSquareResult {
  const columns: [number, number][] = [];
  for (let index = 0; index < reference.length; index++) {
    const r = reference[index] as number;
    const c = current[index] as number;
    if (r + c > 0) columns.push([r, c]);
  }
  const referenceTotal = columns.reduce((sum, [r]) => sum + r, 0);
  const currentTotal = columns.reduce((sum, [, c]) => sum + c, 0);
  const total = referenceTotal + currentTotal;
  let chiSquare = 0;
  for (const [r, c] of columns) {
    const expectedReference = ((r + c) * referenceTotal) / total;
    const expectedCurrent = ((r + c) * currentTotal) / total;
    chiSquare +=
      (r - expectedReference) ** 2 / expectedReference + (c - expectedCurrent) ** 2 / expectedCurrent;
  }
  const degreesOfFreedom = columns.length - 1;
  if (degreesOfFreedom < 1) return { chiSquare: 0, degreesOfFreedom: 0, pValue: 1, cramersV: 0 };
  return {
    chiSquare,
    degreesOfFreedom,
    pValue: regularizedUpperGamma(degreesOfFreedom / 2, chiSquare / 2),
    cramersV: Math.sqrt(chiSquare / total),
  };
}
