import type { SparseRow } from '../features/sparse-matrix.js';
import type { LogisticRegressionState } from './logistic-regression.js';

/**
 * A term of an explanation: how the listing wrote it, the vocabulary's term, its TF-IDF value and
 * its contribution. Exactly the fields the model server answers, in its order, so the answer
 * passes the objects on as they are.
 */
export interface ExplainedTerm {
  /** The term as it reads in the listing (case and accents kept, stop words between kept); the feature when it cannot be found. */
  term: string;
  /** The term as the model knows it: cleaned words (or characters, for char_wb), one space apart. */
  feature: string;
  tfidf: number;
  /** The class's coefficient of the term × tfidf, in logit units. */
  contribution: number;
}

/**
 * A class's logit taken apart: the intercept plus the contributions of every term of the row
 * (the `up` and `down` terms and the others) make the logit.
 */
export interface ClassExplanation {
  classCode: number;
  logit: number;
  intercept: number;
  /** The terms that raised the logit most, largest contribution first. */
  up: ExplainedTerm[];
  /** The terms that lowered it most, most negative first. */
  down: ExplainedTerm[];
  /** The row's terms in neither list, and the sum of their contributions. */
  otherTerms: number;
  otherContribution: number;
}

/**
 * Takes class logits apart, one TF-IDF row at a time, in working memory reused from call to
 * call: only the listed terms become objects. Ranking is by selection into the k best so far
 * (k is small, a row can hold thousands of entries), each way.
 */
export class ContributionRanker {
  /** Each row entry's contribution to the class being ranked, and to the other class of the pair. */
  private contributions = new Float64Array(256);
  private otherClassContributions = new Float64Array(256);
  private listed = new Uint8Array(256);
  /** Row entries ranked so far, best first, and how many. */
  private readonly up: number[] = [];
  private readonly down: number[] = [];
  private upCount = 0;
  private downCount = 0;
  /** The columns of the terms `explain` listed since `clearListed`, in the order of its lists (up, then down). */
  readonly listedColumns: number[] = [];
  /** Every listed term since `clearListed`, in the order of `listedColumns`. */
  readonly listedTerms: ExplainedTerm[] = [];

  clearListed(): void {
    this.listedColumns.length = 0;
    this.listedTerms.length = 0;
  }

  /**
   * For each of the (one or two) `classIndices`: its logit for one row, summed as the model sums
   * it, with the `k` terms that pushed it most up and most down (equal contributions: the lower
   * column first; the row's columns ascend, as a TF-IDF row's do), each named by its feature
   * (`vocabulary[column]`) and added to the listed terms. The row and each of its columns'
   * coefficients are read once for both classes.
   */
  explain(
    state: LogisticRegressionState,
    vocabulary: readonly string[],
    classIndices: readonly number[],
    row: SparseRow,
    k: number,
  ): ClassExplanation[] {
    const K = state.classes.length;
    const { indices, values } = row;
    const entries = indices.length;
    if (this.contributions.length < entries) {
      this.contributions = new Float64Array(2 * entries);
      this.otherClassContributions = new Float64Array(2 * entries);
      this.listed = new Uint8Array(2 * entries);
    }
    const first = classIndices[0] as number;
    const second = classIndices.length > 1 ? (classIndices[1] as number) : first;
    const { coef } = state;
    const contributions = this.contributions;
    const secondContributions = this.otherClassContributions;
    for (let entry = 0; entry < entries; entry++) {
      const value = values[entry] as number;
      const offset = (indices[entry] as number) * K;
      contributions[entry] = value * (coef[offset + first] as number);
      secondContributions[entry] = value * (coef[offset + second] as number);
    }
    const explanations = [this.rank(state, vocabulary, first, contributions, row, k)];
    if (classIndices.length > 1) {
      explanations.push(this.rank(state, vocabulary, second, secondContributions, row, k));
    }
    return explanations;
  }

  /** One class's explanation from its contributions by row entry. */
  private rank(
    { intercept, classes }: LogisticRegressionState,
    vocabulary: readonly string[],
    classIndex: number,
    contributions: Float64Array,
    row: SparseRow,
    k: number,
  ): ClassExplanation {
    const entries = row.indices.length;
    this.upCount = 0;
    this.downCount = 0;
    // What a contribution must beat to be listed: 0 until k are listed, then the k-th's. The row's
    // columns ascend, so a later entry equal to a listed one stays behind it (lower column first).
    let upFloor = k === 0 ? Number.POSITIVE_INFINITY : 0;
    let downCeiling = k === 0 ? Number.NEGATIVE_INFINITY : 0;
    let logit = intercept[classIndex] as number;
    for (let entry = 0; entry < entries; entry++) {
      const contribution = contributions[entry] as number;
      logit += contribution;
      if (contribution > upFloor) upFloor = this.rankUp(entry, contribution, contributions, k);
      else if (contribution < downCeiling) downCeiling = this.rankDown(entry, contribution, contributions, k);
    }
    const listed = this.listed;
    for (let at = 0; at < this.upCount; at++) listed[this.up[at] as number] = 1;
    for (let at = 0; at < this.downCount; at++) listed[this.down[at] as number] = 1;
    let otherContribution = 0;
    for (let entry = 0; entry < entries; entry++) {
      if (listed[entry] === 0) otherContribution += contributions[entry] as number;
    }
    const up = this.terms(this.up, this.upCount, contributions, row, vocabulary);
    const down = this.terms(this.down, this.downCount, contributions, row, vocabulary);
    return {
      classCode: classes[classIndex] as number,
      logit,
      intercept: intercept[classIndex] as number,
      up,
      down,
      otherTerms: entries - up.length - down.length,
      otherContribution,
    };
  }

  /** The terms of the ranked `entries`, listed (and their marks cleared). */
  private terms(
    entries: number[],
    count: number,
    contributions: Float64Array,
    { indices, values }: SparseRow,
    vocabulary: readonly string[],
  ): ExplainedTerm[] {
    const terms: ExplainedTerm[] = new Array(count);
    for (let at = 0; at < count; at++) {
      const entry = entries[at] as number;
      const column = indices[entry] as number;
      const feature = vocabulary[column] as string;
      this.listed[entry] = 0;
      const term: ExplainedTerm = {
        term: feature,
        feature,
        tfidf: values[entry] as number,
        contribution: contributions[entry] as number,
      };
      terms[at] = term;
      this.listedColumns.push(column);
      this.listedTerms.push(term);
    }
    return terms;
  }

  /** Inserts `entry` among the up terms, ahead of those with a lower contribution; the contribution of the last when k are listed, else 0. */
  private rankUp(entry: number, contribution: number, contributions: Float64Array, k: number): number {
    const up = this.up;
    let at = this.upCount < k ? this.upCount++ : k - 1;
    while (at > 0 && contribution > (contributions[up[at - 1] as number] as number)) {
      up[at] = up[at - 1] as number;
      at--;
    }
    up[at] = entry;
    return this.upCount === k ? (contributions[up[k - 1] as number] as number) : 0;
  }

  /** Inserts `entry` among the down terms, ahead of those with a higher contribution; the contribution of the last when k are listed, else 0. */
  private rankDown(entry: number, contribution: number, contributions: Float64Array, k: number): number {
    const down = this.down;
    let at = this.downCount < k ? this.downCount++ : k - 1;
    while (at > 0 && contribution < (contributions[down[at - 1] as number] as number)) {
      down[at] = down[at - 1] as number;
      at--;
    }
    down[at] = entry;
    return this.downCount === k ? (contributions[down[k - 1] as number] as number) : 0;
  }
}
