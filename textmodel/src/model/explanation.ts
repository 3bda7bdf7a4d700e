import type { SparseRow } from '../features/sparse-matrix.js';
import type { LogisticRegressionState } from './logistic-regression.js';

/** One term's share of a class's logit. */
export interface TermContribution {
  /** The term's column in the vocabulary. */
  column: number;
  tfidf: number;
  /** The class's coefficient of the column. */
  weight: number;
  /** weight × tfidf, in logit units. */
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

function byContribution(a: TermContribution, b: TermContribution): number {
  return b.contribution - a.contribution || a.column - b.column;
}

/**
 * The logit of class `classIndex` for one TF-IDF row, summed as the model sums it, with the `k`
 * terms that pushed it most up and most down.
 */
export function classContributions(
  { coef, intercept, classes }: LogisticRegressionState,
  classIndex: number,
  row: SparseRow,
  k: number,
): ClassContributions {
  const K = classes.length;
  const terms: TermContribution[] = [];
  let logit = intercept[classIndex] as number;
  for (let entry = 0; entry < row.indices.length; entry++) {
    const column = row.indices[entry] as number;
    const tfidf = row.values[entry] as number;
    const weight = coef[column * K + classIndex] as number;
    const contribution = tfidf * weight;
    logit += contribution;
    terms.push({ column, tfidf, weight, contribution });
  }
  terms.sort(byContribution);
  const up = terms.filter((term) => term.contribution > 0).slice(0, k);
  const down = terms
    .filter((term) => term.contribution < 0)
    .reverse()
    .slice(0, k);
  const listed = new Set([...up, ...down]);
  let otherContribution = 0;
  let otherTerms = 0;
  for (const term of terms) {
    if (listed.has(term)) continue;
    otherTerms++;
    otherContribution += term.contribution;
  }
  return {
    classCode: classes[classIndex] as number,
    logit,
    intercept: intercept[classIndex] as number,
    up,
    down,
    otherTerms,
    otherContribution,
  };
}
