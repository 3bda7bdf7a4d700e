import { describe, expect, it } from 'vitest';
import type { CsrMatrix } from '../features/sparse-matrix.js';
import { LogisticRegression, topClasses } from './logistic-regression.js';

/** Rows of a few random features, the first feature index telling the class. */
function separable(rows: number, classes: number, features: number): { matrix: CsrMatrix; labels: number[] } {
  const indptr = new Int32Array(rows + 1);
  const indices: number[] = [];
  const values: number[] = [];
  const labels: number[] = [];
  let state = 7;
  const random = () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
  for (let row = 0; row < rows; row++) {
    const label = row % classes;
    const columns = new Set([label, classes + Math.floor(random() * (features - classes))]);
    for (const column of [...columns].sort((a, b) => a - b)) {
      indices.push(column);
      values.push(0.5 + random());
    }
    indptr[row + 1] = indices.length;
    labels.push(label * 10);
  }
  return {
    matrix: {
      rows,
      columns: features,
      indptr,
      indices: Int32Array.from(indices),
      values: Float64Array.from(values),
    },
    labels,
  };
}

const settings = { C: 1, maxIter: 200, tol: 1e-6, classWeight: 'none' as const };

describe('LogisticRegression', () => {
  it('learns a separable problem and predicts class codes', async () => {
    const { matrix, labels } = separable(300, 4, 30);
    const model = new LogisticRegression(settings);
    const report = await model.fit(matrix, labels);
    expect(report.converged).toBe(true);
    expect(model.fitted.classes).toEqual([0, 10, 20, 30]);
    expect(model.predict(matrix)).toEqual(labels);
    const probabilities = model.predictProba(matrix);
    for (let row = 0; row < 3; row++) {
      const sum = Array.from(probabilities.subarray(row * 4, row * 4 + 4)).reduce((a, b) => a + b, 0);
      expect(sum).toBeCloseTo(1, 12);
    }
  });

  it('gives the same weights with one thread or several', async () => {
    // Large enough for the evaluator to start worker threads.
    const { matrix, labels } = separable(120_000, 5, 50);
    const single = new LogisticRegression({ ...settings, maxIter: 15 });
    const parallel = new LogisticRegression({ ...settings, maxIter: 15 });
    await single.fit(matrix, labels, { threads: 1 });
    await parallel.fit(matrix, labels, { threads: 2 });
    expect(Array.from(parallel.fitted.coef)).toEqual(Array.from(single.fitted.coef));
    expect(Array.from(parallel.fitted.intercept)).toEqual(Array.from(single.fitted.intercept));
  });

  it('refuses a single class', async () => {
    const { matrix } = separable(10, 2, 10);
    await expect(new LogisticRegression(settings).fit(matrix, new Array(10).fill(2583))).rejects.toThrow(
      'the training data has only one class (2583); a classifier needs at least two classes',
    );
  });

  it('ranks classes by probability, equal ones in class order', () => {
    expect(topClasses([0.1, 0.3, 0.2, 0.3, 0.1], [10, 20, 30, 40, 50], 4)).toEqual([
      { classCode: 20, probability: 0.3 },
      { classCode: 40, probability: 0.3 },
      { classCode: 30, probability: 0.2 },
      { classCode: 10, probability: 0.1 },
    ]);
    expect(topClasses([0.5, 0.5], [1, 2], 5)).toHaveLength(2);
  });
});
