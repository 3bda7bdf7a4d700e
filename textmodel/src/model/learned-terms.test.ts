import { describe, expect, it } from 'vitest';
import { learnedTerms } from './learned-terms.js';

describe('learnedTerms', () => {
  it("lists each class's largest coefficients each way, with their terms", () => {
    // Three terms, two classes; coef is feature-major.
    const state = {
      settings: { C: 1, maxIter: 1, tol: 1e-4, classWeight: 'none' as const },
      classes: [10, 2583],
      features: 3,
      coef: Float64Array.from([0.5, -0.5, -2, 2, 1, 0]),
      intercept: Float64Array.from([0.1, -0.1]),
    };
    expect(learnedTerms(state, ['lampe', 'piscine', 'table'], 1)).toEqual([
      {
        classCode: 10,
        intercept: 0.1,
        positive: [{ feature: 'table', weight: 1 }],
        negative: [{ feature: 'piscine', weight: -2 }],
      },
      {
        classCode: 2583,
        intercept: -0.1,
        positive: [{ feature: 'piscine', weight: 2 }],
        negative: [{ feature: 'lampe', weight: -0.5 }],
      },
    ]);
    const [first] = learnedTerms(state, ['lampe', 'piscine', 'table'], 5);
    expect(first?.positive.map((term) => term.feature)).toEqual(['table', 'lampe']);
  });
});
