import { softmaxResidualsKernel } from './softmax-kernel.js';
import {
  assembleModule,
  type FunctionDefinition,
  f64Load,
  f64Store,
  localGet as get,
  i32Const as i32,
  i32Load,
  increment,
  op,
  localSet as set,
  simd,
  v128Load,
  v128Store,
  valueType,
  whileLess,
} from './wasm-assembler.js';

/*
 * The two sparse products of a gradient evaluation (with, from softmax-kernel.ts, the softmax
 * residuals between them), as WebAssembly SIMD (two float64 lanes) with
 * the class loop unrolled: about four times faster than the best JavaScript loop. Pointers are
 * byte offsets into the shared memory; rows of dense arrays hold `classes` float64 values.
 *
 *   forward(rowStart, rowEnd, indptr, indices, values, coef, intercept, scores)
 *     scores[row - rowStart][k] = intercept[k] + Σ_entries value * coef[column][k]
 *   backward(rowStart, rowEnd, indptr, indices, values, residuals, gradient)
 *     gradient[column][k] += value * residuals[row - rowStart][k]   (accumulates)
 *
 * Each sum runs in the same order as the plain loop it replaces (no fused multiply-add), so the
 * results are the same numbers.
 */

/** address = base + index * scale (index loaded as i32 from `indexArray + entry * 4` when given) */
function rowAddress(target: number, base: number, scale: number, index: number[]): number[] {
  return [...get(base), ...index, ...i32(scale), op.i32Mul, op.i32Add, ...set(target)];
}

function forward(classes: number): FunctionDefinition {
  const [rowStart, rowEnd, indptr, indices, values, coef, intercept, scores] = [0, 1, 2, 3, 4, 5, 6, 7];
  const [row, entry, end, address, out, value, splat, firstPair] = [8, 9, 10, 11, 12, 13, 14, 15];
  const pairs = Math.floor(classes / 2);
  const odd = classes % 2 === 1;
  const lastScalar = firstPair + pairs;
  const rowBytes = classes * 8;
  const pairIndices = Array.from({ length: pairs }, (_, pair) => pair);
  const entryBody = [
    ...get(values),
    ...get(entry),
    ...i32(8),
    op.i32Mul,
    op.i32Add,
    ...f64Load(0),
    ...set(value),
    ...get(value),
    ...simd(op.f64x2Splat),
    ...set(splat),
    ...rowAddress(address, coef, rowBytes, [
      ...get(indices),
      ...get(entry),
      ...i32(4),
      op.i32Mul,
      op.i32Add,
      ...i32Load(0),
    ]),
    ...pairIndices.flatMap((pair) => [
      ...get(firstPair + pair),
      ...get(splat),
      ...get(address),
      ...v128Load(16 * pair),
      ...simd(op.f64x2Mul),
      ...simd(op.f64x2Add),
      ...set(firstPair + pair),
    ]),
    ...(odd
      ? [
          ...get(lastScalar),
          ...get(value),
          ...get(address),
          ...f64Load(16 * pairs),
          op.f64Mul,
          op.f64Add,
          ...set(lastScalar),
        ]
      : []),
    ...increment(entry, 1),
  ];
  const rowBody = [
    ...pairIndices.flatMap((pair) => [...get(intercept), ...v128Load(16 * pair), ...set(firstPair + pair)]),
    ...(odd ? [...get(intercept), ...f64Load(16 * pairs), ...set(lastScalar)] : []),
    ...rowAddress(address, indptr, 4, get(row)),
    ...get(address),
    ...i32Load(0),
    ...set(entry),
    ...get(address),
    ...i32Load(4),
    ...set(end),
    ...whileLess(entry, end, entryBody),
    ...pairIndices.flatMap((pair) => [...get(out), ...get(firstPair + pair), ...v128Store(16 * pair)]),
    ...(odd ? [...get(out), ...get(lastScalar), ...f64Store(16 * pairs)] : []),
    ...increment(out, rowBytes),
    ...increment(row, 1),
  ];
  return {
    exportName: 'forward',
    parameters: new Array(8).fill(valueType.i32),
    results: [],
    locals: [
      [5, valueType.i32],
      [1, valueType.f64],
      [1 + pairs, valueType.v128],
      ...(odd ? [[1, valueType.f64] as [number, number]] : []),
    ],
    body: [...get(rowStart), ...set(row), ...get(scores), ...set(out), ...whileLess(row, rowEnd, rowBody)],
  };
}

function backward(classes: number): FunctionDefinition {
  const [rowStart, rowEnd, indptr, indices, values, residuals, gradient] = [0, 1, 2, 3, 4, 5, 6];
  const [row, entry, end, address, residualRow, value, splat, firstPair] = [7, 8, 9, 10, 11, 12, 13, 14];
  const pairs = Math.floor(classes / 2);
  const odd = classes % 2 === 1;
  const lastScalar = firstPair + pairs;
  const rowBytes = classes * 8;
  const pairIndices = Array.from({ length: pairs }, (_, pair) => pair);
  const entryBody = [
    ...get(values),
    ...get(entry),
    ...i32(8),
    op.i32Mul,
    op.i32Add,
    ...f64Load(0),
    ...set(value),
    ...get(value),
    ...simd(op.f64x2Splat),
    ...set(splat),
    ...rowAddress(address, gradient, rowBytes, [
      ...get(indices),
      ...get(entry),
      ...i32(4),
      op.i32Mul,
      op.i32Add,
      ...i32Load(0),
    ]),
    ...pairIndices.flatMap((pair) => [
      ...get(address),
      ...get(address),
      ...v128Load(16 * pair),
      ...get(splat),
      ...get(firstPair + pair),
      ...simd(op.f64x2Mul),
      ...simd(op.f64x2Add),
      ...v128Store(16 * pair),
    ]),
    ...(odd
      ? [
          ...get(address),
          ...get(address),
          ...f64Load(16 * pairs),
          ...get(value),
          ...get(lastScalar),
          op.f64Mul,
          op.f64Add,
          ...f64Store(16 * pairs),
        ]
      : []),
    ...increment(entry, 1),
  ];
  const rowBody = [
    ...pairIndices.flatMap((pair) => [...get(residualRow), ...v128Load(16 * pair), ...set(firstPair + pair)]),
    ...(odd ? [...get(residualRow), ...f64Load(16 * pairs), ...set(lastScalar)] : []),
    ...rowAddress(address, indptr, 4, get(row)),
    ...get(address),
    ...i32Load(0),
    ...set(entry),
    ...get(address),
    ...i32Load(4),
    ...set(end),
    ...whileLess(entry, end, entryBody),
    ...increment(residualRow, rowBytes),
    ...increment(row, 1),
  ];
  return {
    exportName: 'backward',
    parameters: new Array(7).fill(valueType.i32),
    results: [],
    locals: [
      [5, valueType.i32],
      [1, valueType.f64],
      [1 + pairs, valueType.v128],
      ...(odd ? [[1, valueType.f64] as [number, number]] : []),
    ],
    body: [
      ...get(rowStart),
      ...set(row),
      ...get(residuals),
      ...set(residualRow),
      ...whileLess(row, rowEnd, rowBody),
    ],
  };
}

export interface GradientKernels {
  forward(
    rowStart: number,
    rowEnd: number,
    indptr: number,
    indices: number,
    values: number,
    coef: number,
    intercept: number,
    scores: number,
  ): void;
  backward(
    rowStart: number,
    rowEnd: number,
    indptr: number,
    indices: number,
    values: number,
    residuals: number,
    gradient: number,
  ): void;
  softmaxResiduals(
    rowStart: number,
    rowEnd: number,
    scores: number,
    labels: number,
    weights: number,
    sums: number,
    margins: number,
    interceptGradient: number,
  ): void;
}

/** The kernels' module for a number of classes, importing a shared memory of `pages` 64 KiB pages. */
export function gradientKernelsModule(classes: number, pages: number): WebAssembly.Module {
  if (!(Number.isInteger(classes) && classes >= 2))
    throw new Error(`classes must be an integer >= 2, got ${classes}`);
  return new WebAssembly.Module(
    assembleModule(pages, [forward(classes), backward(classes), softmaxResidualsKernel(classes)]),
  );
}

export function instantiateKernels(module: WebAssembly.Module, memory: WebAssembly.Memory): GradientKernels {
  return new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as GradientKernels;
}
