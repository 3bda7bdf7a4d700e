import type { SparseRow } from '../features/sparse-matrix.js';
import type { LogisticRegressionState } from './logistic-regression.js';

/** One term's share of a class's logit. */
export interface TermContribution {
  /** The term's column in the vocabulary. */
  column: number;
  tfidf: number;
  /** The class's coefficient of the column × tfidf, in logit units. */
  contribution: number;
}

/**
 * A class's logit taken apart: the intercept plus the contributions of every term of the row
 * (the `up` and `down` terms and the others) make the logit.
 */
export interface ClassContributions {
  classCode: number;
  logit: number;
  intercept: number;
  /** The terms that raised the logit most, largest contribution first. */
  up: TermContribution[];
  /** The terms that lowered it most, most negative first. */
  down: TermContribution[];
  /** The row's terms in neither list, and the sum of their contributions. */
  otherTerms: number;
  otherContribution: number;
}

/**
 * Inserts `entry` into `ranked` (entries, best first by `better`) when it ranks among the first
 * `k`; selection in place of a sort, as k is small and a row can hold thousands of entries.
 */
function insertRanked(
  ranked: number[],
  entry: number,
  k: number,
  better: (a: number, b: number) => boolean,
): void {
  if (ranked.length === k && !better(entry, ranked[k - 1] as number)) return;
  let at = ranked.length < k ? ranked.length : k - 1;
  while (at > 0 && better(entry, ranked[at - 1] as number)) {
    ranked[at] = ranked[at - 1] as number;
    at--;
  }
  ranked[at] = entry;
}

/**
 * Takes class logits apart, one TF-IDF row at a time, in working memory reused from call to
 * call: only the listed terms become objects.
 */
export class ContributionRanker {
  private contributions = new Float64Array(256);
  private listed = new Uint8Array(256);
  private readonly up: number[] = [];
  private readonly down: number[] = [];

  /**
   * The logit of class `classIndex` for one row, summed as the model sums it, with the `k` terms
   * that pushed it most up and most down (equal contributions: the lower column first).
   */
  rank(
    { coef, intercept, classes }: LogisticRegressionState,
    classIndex: number,
    row: SparseRow,
    k: number,
  ): ClassContributions {
    const K = classes.length;
    const { indices, values } = row;
    const entries = indices.length;
    if (this.contributions.length < entries) {
      this.contributions = new Float64Array(2 * entries);
      this.listed = new Uint8Array(2 * entries);
    }
    const contributions = this.contributions;
    const up = this.up;
    const down = this.down;
    up.length = 0;
    down.length = 0;
    const higher = (a: number, b: number) =>
      (contributions[a] as number) > (contributions[b] as number) ||
      (contributions[a] === contributions[b] && (indices[a] as number) < (indices[b] as number));
    const lower = (a: number, b: number) =>
      (contributions[a] as number) < (contributions[b] as number) ||
      (contributions[a] === contributions[b] && (indices[a] as number) < (indices[b] as number));
    let logit = intercept[classIndex] as number;
    for (let entry = 0; entry < entries; entry++) {
      const contribution =
        (values[entry] as number) * (coef[(indices[entry] as number) * K + classIndex] as number);
      contributions[entry] = contribution;
      logit += contribution;
      if (k === 0) continue;
      if (contribution > 0) insertRanked(up, entry, k, higher);
      else if (contribution < 0) insertRanked(down, entry, k, lower);
    }
    const listed = this.listed;
    for (const entry of up) listed[entry] = 1;
    for (const entry of down) listed[entry] = 1;
    let otherContribution = 0;
    for (let entry = 0; entry < entries; entry++) {
      if (listed[entry] === 0) otherContribution += contributions[entry] as number;
    }
    for (const entry of up) listed[entry] = 0;
    for (const entry of down) listed[entry] = 0;
    const term = (entry: number): TermContribution => ({
      column: indices[entry] as number,
      tfidf: values[entry] as number,
      contribution: contributions[entry] as number,
    });
    return {
      classCode: classes[classIndex] as number,
      logit,
      intercept: intercept[classIndex] as number,
      up: up.map(term),
      down: down.map(term),
      otherTerms: entries - up.length - down.length,
      otherContribution,
    };
  }
}
