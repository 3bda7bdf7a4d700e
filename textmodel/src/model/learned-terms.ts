import type { LogisticRegressionState } from './logistic-regression.js';

export interface LearnedTerm {
  feature: string;
  weight: number;
}

/** What a fitted model learned of one class: its intercept and its largest coefficients each way. */
export interface ClassLearnedTerms {
  classCode: number;
  intercept: number;
  /** The k terms with the largest positive coefficients, largest first. */
  positive: LearnedTerm[];
  /** The k terms with the most negative coefficients, most negative first. */
  negative: LearnedTerm[];
}

/** Each class's `k` most positive and `k` most negative coefficients, with the vocabulary's terms. */
export function learnedTerms(
  { coef, intercept, classes }: LogisticRegressionState,
  vocabulary: readonly string[],
  k: number,
): ClassLearnedTerms[] {
  const K = classes.length;
  return classes.map((classCode, classIndex) => {
    const terms = vocabulary.map((feature, column) => ({
      feature,
      weight: coef[column * K + classIndex] as number,
    }));
    terms.sort((a, b) => b.weight - a.weight || (a.feature < b.feature ? -1 : 1));
    return {
      classCode,
      intercept: intercept[classIndex] as number,
      positive: terms.filter((term) => term.weight > 0).slice(0, k),
      negative: terms
        .filter((term) => term.weight < 0)
        .reverse()
        .slice(0, k),
    };
  });
}
