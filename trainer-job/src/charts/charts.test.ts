import { describe, expect, it } from 'vitest';
import { renderClassDistributionPng } from './class-distribution-png.js';
import { renderConfusionMatrixPng } from './confusion-matrix-png.js';
import { renderLearnedTermsPng } from './learned-terms-png.js';

const pngSignature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe('charts', () => {
  it('renders a class distribution and a confusion matrix as PNG', () => {
    const distribution = renderClassDistributionPng(
      new Map([
        [2583, 120],
        [10, 40],
        ['other', 3],
      ]),
      'Classes',
    );
    expect(distribution.subarray(0, 8).equals(pngSignature)).toBe(true);
    const confusion = renderConfusionMatrixPng(
      [
        [5, 1],
        [0, 7],
      ],
      [10, 2583],
      'Confusion',
    );
    expect(confusion.subarray(0, 8).equals(pngSignature)).toBe(true);
    expect(() => renderConfusionMatrixPng([[1]], [1, 2], 'x')).toThrow(/2 x 2/);
  });

  it("renders each class's learned terms as PNG", () => {
    const learned = [2583, 10, 1300].map((classCode) => ({
      classCode,
      intercept: 0,
      positive: [
        { feature: 'piscine tubulaire', weight: 2.5 },
        { feature: 'pompe', weight: 1.1 },
      ],
      negative: [{ feature: 'livre', weight: -0.7 }],
    }));
    const png = renderLearnedTermsPng(learned, 'What the model learned');
    expect(png.subarray(0, 8).equals(pngSignature)).toBe(true);
    expect(renderLearnedTermsPng([], 'empty').subarray(0, 8).equals(pngSignature)).toBe(true);
  });
});
