import {
  assembleModule,
  combineLanes,
  type FunctionDefinition,
  localGet as get,
  increment,
  op,
  localSet as set,
  simd,
  localTee as tee,
  v128Load,
  v128Store,
  valueType,
  whileLess,
} from './wasm-assembler.js';

/*
 * The dense vector steps of L-BFGS as WebAssembly SIMD: the plain JavaScript loops were memory-
 * and dependency-bound at about 2-3 ns per element and took a quarter of the optimisation. Every
 * vector is a byte offset into one memory, zero-padded to a multiple of four float64 values, and
 * every function takes its length in bytes; each loop step handles four values (two lanes, two
 * accumulators). Dot products therefore sum in a fixed order of their own: deterministic, not
 * the order of a plain loop.
 *
 *   dot(a, b, bytes) -> Σ a·b
 *   addScaledThenDot(target, scale, source, dotWith, bytes) -> target += scale·source, then Σ target·dotWith
 *   scaleThenDot(target, scale, weights, dotWith, bytes) -> target = target·scale·weights, then Σ target·dotWith
 *   weightedSquaredNorm(a, weights, bytes) -> Σ a²·weights
 *   addScaled(out, a, scale, b, bytes): out = a + scale·b
 *   negate(out, a, bytes): out = -a
 *   differences(s, y, trial, x, trialGradient, gradient, bytes): s = trial - x, y = trialGradient - gradient
 *   maxAbs(a, bytes) -> max |a|
 */

const { i32, f64, v128 } = valueType;
const load = (pointer: number, offset: number) => [...get(pointer), ...v128Load(offset)];
const binary = (code: number) => simd(code);
const halves = [0, 16];

/** The loop over 32-byte steps of the vectors at `pointers`, ending when the first reaches `end`. */
function stepLoop(pointers: number[], end: number, body: number[]): number[] {
  return whileLess(pointers[0] as number, end, [
    ...body,
    ...pointers.flatMap((pointer) => increment(pointer, 32)),
  ]);
}

/** end = first pointer + bytes */
function setEnd(first: number, bytes: number, end: number): number[] {
  return [...get(first), ...get(bytes), op.i32Add, ...set(end)];
}

/** Sums two v128 accumulators' four lanes: (acc0 + acc1) lane 0 + lane 1. */
function horizontalSum(accumulator0: number, accumulator1: number): number[] {
  return [
    ...get(accumulator0),
    ...get(accumulator1),
    ...binary(op.f64x2Add),
    ...set(accumulator0),
    ...combineLanes(accumulator0, op.f64Add),
  ];
}

/** accumulator += product, for each half of a 32-byte step: `product(offset)` leaves one v128. */
function accumulate(accumulators: [number, number], product: (offset: number) => number[]): number[] {
  return halves.flatMap((offset, half) => [
    ...get(accumulators[half] as number),
    ...product(offset),
    ...binary(op.f64x2Add),
    ...set(accumulators[half] as number),
  ]);
}

/** (a, b, bytes) -> f64: the sum over the vectors' values of `term`, which leaves one v128 per half step. */
function sumOver(
  exportName: string,
  term: (a: number, b: number, offset: number) => number[],
): FunctionDefinition {
  const [a, b, bytes, end, acc0, acc1] = [0, 1, 2, 3, 4, 5];
  return {
    exportName,
    parameters: [i32, i32, i32],
    results: [f64],
    locals: [
      [1, i32],
      [2, v128],
    ],
    body: [
      ...setEnd(a, bytes, end),
      ...stepLoop(
        [a, b],
        end,
        accumulate([acc0, acc1], (offset) => term(a, b, offset)),
      ),
      ...horizontalSum(acc0, acc1),
    ],
  };
}

const dot = () =>
  sumOver('dot', (a, b, offset) => [...load(a, offset), ...load(b, offset), ...binary(op.f64x2Mul)]);

const weightedSquaredNorm = () =>
  sumOver('weightedSquaredNorm', (a, weights, offset) => [
    ...load(a, offset),
    ...load(a, offset),
    ...binary(op.f64x2Mul),
    ...load(weights, offset),
    ...binary(op.f64x2Mul),
  ]);

/**
 * (target, scale, other, dotWith, bytes) -> f64: each step's `target` becomes `newValue` (built
 * from the locals target, other and the scale's splat, at the step's offset), then the function
 * returns Σ target·dotWith.
 */
function updateThenDot(
  exportName: string,
  newValue: (locals: { target: number; other: number; splat: number }, offset: number) => number[],
): FunctionDefinition {
  const [target, scale, other, dotWith, bytes, end, splat, acc0, acc1, value] = [
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
  ];
  return {
    exportName,
    parameters: [i32, f64, i32, i32, i32],
    results: [f64],
    locals: [
      [1, i32],
      [4, v128],
    ],
    body: [
      ...get(scale),
      ...simd(op.f64x2Splat),
      ...set(splat),
      ...setEnd(target, bytes, end),
      ...stepLoop(
        [target, other, dotWith],
        end,
        halves.flatMap((offset, half) => [
          ...get(target),
          ...newValue({ target, other, splat }, offset),
          ...tee(value),
          ...v128Store(offset),
          ...get(half === 0 ? acc0 : acc1),
          ...get(value),
          ...load(dotWith, offset),
          ...binary(op.f64x2Mul),
          ...binary(op.f64x2Add),
          ...set(half === 0 ? acc0 : acc1),
        ]),
      ),
      ...horizontalSum(acc0, acc1),
    ],
  };
}

const addScaledThenDot = () =>
  updateThenDot('addScaledThenDot', ({ target, other, splat }, offset) => [
    ...load(target, offset),
    ...get(splat),
    ...load(other, offset),
    ...binary(op.f64x2Mul),
    ...binary(op.f64x2Add),
  ]);

const scaleThenDot = () =>
  updateThenDot('scaleThenDot', ({ target, other, splat }, offset) => [
    ...load(target, offset),
    ...get(splat),
    ...binary(op.f64x2Mul),
    ...load(other, offset),
    ...binary(op.f64x2Mul),
  ]);

function addScaled(): FunctionDefinition {
  const [out, a, scale, b, bytes, end, splat] = [0, 1, 2, 3, 4, 5, 6];
  return {
    exportName: 'addScaled',
    parameters: [i32, i32, f64, i32, i32],
    results: [],
    locals: [
      [1, i32],
      [1, v128],
    ],
    body: [
      ...get(scale),
      ...simd(op.f64x2Splat),
      ...set(splat),
      ...setEnd(out, bytes, end),
      ...stepLoop(
        [out, a, b],
        end,
        halves.flatMap((offset) => [
          ...get(out),
          ...load(a, offset),
          ...get(splat),
          ...load(b, offset),
          ...binary(op.f64x2Mul),
          ...binary(op.f64x2Add),
          ...v128Store(offset),
        ]),
      ),
    ],
  };
}

function negate(): FunctionDefinition {
  const [out, a, bytes, end] = [0, 1, 2, 3];
  return {
    exportName: 'negate',
    parameters: [i32, i32, i32],
    results: [],
    locals: [[1, i32]],
    body: [
      ...setEnd(out, bytes, end),
      ...stepLoop(
        [out, a],
        end,
        halves.flatMap((offset) => [
          ...get(out),
          ...load(a, offset),
          ...binary(op.f64x2Neg),
          ...v128Store(offset),
        ]),
      ),
    ],
  };
}

function differences(): FunctionDefinition {
  const [s, y, trial, x, trialGradient, gradient, bytes, end] = [0, 1, 2, 3, 4, 5, 6, 7];
  return {
    exportName: 'differences',
    parameters: [i32, i32, i32, i32, i32, i32, i32],
    results: [],
    locals: [[1, i32]],
    body: [
      ...setEnd(s, bytes, end),
      ...stepLoop(
        [s, y, trial, x, trialGradient, gradient],
        end,
        halves.flatMap((offset) => [
          ...get(s),
          ...load(trial, offset),
          ...load(x, offset),
          ...binary(op.f64x2Sub),
          ...v128Store(offset),
          ...get(y),
          ...load(trialGradient, offset),
          ...load(gradient, offset),
          ...binary(op.f64x2Sub),
          ...v128Store(offset),
        ]),
      ),
    ],
  };
}

function maxAbs(): FunctionDefinition {
  const [a, bytes, end, acc0, acc1] = [0, 1, 2, 3, 4];
  return {
    exportName: 'maxAbs',
    parameters: [i32, i32],
    results: [f64],
    locals: [
      [1, i32],
      [2, v128],
    ],
    body: [
      ...setEnd(a, bytes, end),
      ...stepLoop(
        [a],
        end,
        halves.flatMap((offset, half) => [
          ...get(half === 0 ? acc0 : acc1),
          ...load(a, offset),
          ...binary(op.f64x2Abs),
          ...binary(op.f64x2Max),
          ...set(half === 0 ? acc0 : acc1),
        ]),
      ),
      ...get(acc0),
      ...get(acc1),
      ...binary(op.f64x2Max),
      ...set(acc0),
      ...combineLanes(acc0, op.f64Max),
    ],
  };
}

export interface LbfgsKernels {
  dot(a: number, b: number, bytes: number): number;
  addScaledThenDot(target: number, scale: number, source: number, dotWith: number, bytes: number): number;
  scaleThenDot(target: number, scale: number, weights: number, dotWith: number, bytes: number): number;
  weightedSquaredNorm(a: number, weights: number, bytes: number): number;
  addScaled(out: number, a: number, scale: number, b: number, bytes: number): void;
  negate(out: number, a: number, bytes: number): void;
  differences(
    s: number,
    y: number,
    trial: number,
    x: number,
    trialGradient: number,
    gradient: number,
    bytes: number,
  ): void;
  maxAbs(a: number, bytes: number): number;
}

/** The kernels over a shared memory of `pages` 64 KiB pages. */
export function lbfgsKernels(memory: WebAssembly.Memory, pages: number): LbfgsKernels {
  const module = new WebAssembly.Module(
    assembleModule(pages, [
      dot(),
      addScaledThenDot(),
      scaleThenDot(),
      weightedSquaredNorm(),
      addScaled(),
      negate(),
      differences(),
      maxAbs(),
    ]),
  );
  return new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as LbfgsKernels;
}
