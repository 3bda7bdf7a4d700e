import { describe, expect, it } from 'vitest';
import { gradientKernelsModule, instantiateKernels } from './wasm-kernels.js';

/** The softmax residuals as plain loops, the specification of the kernel. */
function plainSoftmaxResiduals(scores: number[], labels: number[], weights: number[], classes: number) {
  const residuals: number[] = [];
  const intercept = new Array<number>(classes).fill(0);
  let loss = 0;
  labels.forEach((label, row) => {
    const rowScores = scores.slice(row * classes, (row + 1) * classes);
    const max = Math.max(...rowScores);
    const exps = rowScores.map((score) => Math.exp(score - max));
    const sum = exps.reduce((total, value) => total + value, 0);
    const weight = weights[row] as number;
    loss += weight * (Math.log(sum) - ((rowScores[label] as number) - max));
    exps.forEach((value, k) => {
      const residual = (weight * value) / sum - (k === label ? weight : 0);
      residuals.push(residual);
      intercept[k] = (intercept[k] as number) + residual;
    });
  });
  return { residuals, intercept, loss };
}

describe('softmax residuals kernel', () => {
  for (const classes of [2, 5, 27]) {
    it(`matches plain loops to rounding (${classes} classes), extreme scores included`, () => {
      const rows = 9;
      const scores = Array.from(
        { length: rows * classes },
        (_, i) => 6 * Math.sin(i * 1.7) + (i % 7 === 0 ? -900 : 0),
      );
      const labels = Array.from({ length: rows }, (_, row) => (row * 3) % classes);
      const weights = Array.from({ length: rows }, (_, row) => 0.5 + row / 4);
      const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
      const [scoresAt, labelsAt, weightsAt, sumsAt, marginsAt, interceptAt] = [
        0, 8192, 8448, 8704, 8960, 9216,
      ];
      new Float64Array(memory.buffer, scoresAt, scores.length).set(scores);
      new Int32Array(memory.buffer, labelsAt, rows).set(labels);
      new Float64Array(memory.buffer, weightsAt, rows).set(weights);
      const kernels = instantiateKernels(gradientKernelsModule(classes, 1), memory);
      kernels.softmaxResiduals(0, rows, scoresAt, labelsAt, weightsAt, sumsAt, marginsAt, interceptAt);

      const expected = plainSoftmaxResiduals(scores, labels, weights, classes);
      const residuals = new Float64Array(memory.buffer, scoresAt, scores.length);
      residuals.forEach((value, i) => {
        expect(value).toBeCloseTo(expected.residuals[i] as number, 14);
      });
      new Float64Array(memory.buffer, interceptAt, classes).forEach((value, k) => {
        expect(value).toBeCloseTo(expected.intercept[k] as number, 13);
      });
      const sums = new Float64Array(memory.buffer, sumsAt, rows);
      const margins = new Float64Array(memory.buffer, marginsAt, rows);
      const loss = weights.reduce(
        (total, weight, row) => total + weight * (Math.log(sums[row] as number) - (margins[row] as number)),
        0,
      );
      expect(loss).toBeCloseTo(expected.loss, 12);
    });
  }
});
