import { describe, expect, it } from 'vitest';
import { gradientKernelsModule, instantiateKernels } from './wasm-kernels.js';

describe('WebAssembly sparse product kernels', () => {
  for (const classes of [2, 5, 27]) {
    it(`compute X·W + b and accumulate Xᵀ·R exactly like plain loops (${classes} classes)`, () => {
      const rows = 7;
      const features = 11;
      const indptr = [0, 3, 3, 5, 9, 10, 12, 15];
      const indices = [0, 4, 10, 2, 3, 0, 1, 7, 9, 5, 6, 8, 1, 2, 10];
      const values = indices.map((column, entry) => 0.25 + ((column * 7 + entry * 3) % 13) / 10);
      const coef = Array.from({ length: (features + 1) * classes }, (_, i) => Math.sin(i + 1));
      const residuals = Array.from({ length: rows * classes }, (_, i) => Math.cos(i * 0.7));
      // Byte offsets, 16-aligned: indptr, indices, values, coef (+ intercept row), scores, residuals, gradient.
      const layout = [
        0,
        64,
        192,
        320,
        320 + 16 * 12 * 27,
        320 + 16 * 12 * 27 + 8 * 7 * 27,
        320 + 16 * 12 * 27 + 16 * 7 * 27,
      ];
      const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
      const [indptrAt, indicesAt, valuesAt, coefAt, scoresAt, residualsAt, gradientAt] = layout as [
        number,
        number,
        number,
        number,
        number,
        number,
        number,
      ];
      new Int32Array(memory.buffer, indptrAt, indptr.length).set(indptr);
      new Int32Array(memory.buffer, indicesAt, indices.length).set(indices);
      new Float64Array(memory.buffer, valuesAt, values.length).set(values);
      new Float64Array(memory.buffer, coefAt, coef.length).set(coef);
      new Float64Array(memory.buffer, residualsAt, residuals.length).set(residuals);
      const kernels = instantiateKernels(gradientKernelsModule(classes, 1), memory);
      kernels.forward(
        0,
        rows,
        indptrAt,
        indicesAt,
        valuesAt,
        coefAt,
        coefAt + features * classes * 8,
        scoresAt,
      );
      kernels.backward(0, rows, indptrAt, indicesAt, valuesAt, residualsAt, gradientAt);

      const scores = new Float64Array(rows * classes);
      const gradient = new Float64Array(features * classes);
      for (let row = 0; row < rows; row++) {
        for (let k = 0; k < classes; k++) scores[row * classes + k] = coef[features * classes + k] as number;
        for (let entry = indptr[row] as number; entry < (indptr[row + 1] as number); entry++) {
          const column = indices[entry] as number;
          const value = values[entry] as number;
          for (let k = 0; k < classes; k++) {
            scores[row * classes + k] =
              (scores[row * classes + k] as number) + value * (coef[column * classes + k] as number);
            gradient[column * classes + k] =
              (gradient[column * classes + k] as number) + value * (residuals[row * classes + k] as number);
          }
        }
      }
      expect(Array.from(new Float64Array(memory.buffer, scoresAt, rows * classes))).toEqual(
        Array.from(scores),
      );
      expect(Array.from(new Float64Array(memory.buffer, gradientAt, features * classes))).toEqual(
        Array.from(gradient),
      );
    });
  }
});
