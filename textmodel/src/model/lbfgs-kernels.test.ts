import { describe, expect, it } from 'vitest';
import { lbfgsKernels } from './lbfgs-kernels.js';

describe('L-BFGS vector kernels', () => {
  it('compute the dense vector steps of plain loops (dot products to rounding)', () => {
    const n = 10;
    const bytes = Math.ceil(n / 4) * 32;
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    const kernels = lbfgsKernels(memory, 1);
    const vector = (index: number, values: (i: number) => number) => {
      const array = new Float64Array(memory.buffer, index * bytes, n);
      for (let i = 0; i < n; i++) array[i] = values(i);
      return array;
    };
    const [a, b, c, d, e, f] = [0, 1, 2, 3, 4, 5].map((index) => index * bytes) as [
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    const A = vector(0, (i) => Math.sin(i + 1));
    const B = vector(1, (i) => Math.cos(i * 0.3) - 0.5);
    const C = vector(2, (i) => 1 + i / 10);
    const plainDot = (x: Float64Array, y: Float64Array) =>
      x.reduce((sum, value, i) => sum + value * (y[i] as number), 0);
    expect(kernels.dot(a, b, bytes)).toBeCloseTo(plainDot(A, B), 14);
    expect(kernels.weightedSquaredNorm(a, c, bytes)).toBeCloseTo(
      A.reduce((sum, value, i) => sum + value * value * (C[i] as number), 0),
      14,
    );
    expect(kernels.maxAbs(b, bytes)).toBe(Math.max(...B.map(Math.abs)));

    const expectedSum = Float64Array.from(A, (value, i) => value + 0.5 * (B[i] as number));
    expect(kernels.addScaledThenDot(a, 0.5, b, c, bytes)).toBeCloseTo(plainDot(expectedSum, C), 14);
    expect(Array.from(A)).toEqual(Array.from(expectedSum));

    const expectedScaled = Float64Array.from(A, (value, i) => value * 2 * (C[i] as number));
    expect(kernels.scaleThenDot(a, 2, c, b, bytes)).toBeCloseTo(plainDot(B, expectedScaled), 14);
    expect(Array.from(A)).toEqual(Array.from(expectedScaled));

    kernels.addScaled(d, a, -3, b, bytes);
    expect(Array.from(new Float64Array(memory.buffer, d, n))).toEqual(
      Array.from(A, (value, i) => value + -3 * (B[i] as number)),
    );
    kernels.negate(e, b, bytes);
    expect(Array.from(new Float64Array(memory.buffer, e, n))).toEqual(Array.from(B, (value) => -value));
    kernels.differences(e, f, a, b, c, d, bytes);
    const D = new Float64Array(memory.buffer, d, n);
    expect(Array.from(new Float64Array(memory.buffer, e, n))).toEqual(
      Array.from(A, (value, i) => value - (B[i] as number)),
    );
    expect(Array.from(new Float64Array(memory.buffer, f, n))).toEqual(
      Array.from(C, (value, i) => value - (D[i] as number)),
    );
  });
});
