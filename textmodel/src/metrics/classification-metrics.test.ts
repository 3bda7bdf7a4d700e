import { describe, expect, it } from 'vitest';
import { classificationMetrics, classificationReport } from './classification-metrics.js';

describe('classificationMetrics', () => {
  // Reference values from scikit-learn 1.9 for the same labels.
  const truth = [1, 1, 1, 2, 2, 3, 3, 3, 3, 4];
  const predicted = [1, 1, 2, 2, 3, 3, 3, 1, 3, 2];

  it('matches scikit-learn', () => {
    const metrics = classificationMetrics(truth, predicted);
    expect(metrics.accuracy).toBeCloseTo(0.6, 12);
    expect(metrics.f1_macro).toBeCloseTo(0.45416666666666666, 12);
    expect(metrics.f1_weighted).toBeCloseTo(0.58, 12);
    expect(metrics.precision_weighted).toBeCloseTo(0.5666666666666667, 12);
    expect(metrics.recall_macro).toBeCloseTo(0.47916666666666663, 12);
    expect(metrics.per_class['4']).toEqual({ precision: 0, recall: 0, f1: 0, support: 1 });
    expect(metrics.confusion_matrix).toEqual([
      [2, 1, 0, 0],
      [0, 1, 1, 0],
      [1, 0, 3, 0],
      [0, 1, 0, 0],
    ]);
  });

  it('writes a text report with names', () => {
    const report = classificationReport(classificationMetrics(truth, predicted), (code) =>
      code === 1 ? 'one' : undefined,
    );
    expect(report).toContain('1 one');
    expect(report).toMatch(/weighted avg\s+0\.57\s+0\.60\s+0\.58\s+10/);
  });
});
