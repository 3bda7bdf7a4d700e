import {
  combineLanes,
  extractLane,
  type FunctionDefinition,
  f64Load,
  f64Store,
  f64x2Constant,
  localGet as get,
  i32Const as i32,
  i32Load,
  i64x2Constant,
  increment,
  op,
  localSet as set,
  simd,
  localTee as tee,
  v128Load,
  v128Load64Zero,
  v128Store,
  valueType,
  whileLess,
} from './wasm-assembler.js';

/*
 * softmaxResiduals(rowStart, rowEnd, scores, labels, weights, sums, margins, interceptGradient)
 *
 * For each row of `scores` (row `rowStart` first, `classes` float64 values per row), in place:
 * s - max → exp → w * exp / Σexp, minus w at the row's label: the weighted residuals of the
 * softmax cross-entropy. Adds each row's residuals to `interceptGradient` and stores, per row,
 * Σexp in `sums` and (score of the label - max) in `margins`; the loss w * (ln Σexp - margin) is
 * summed by the caller, as WebAssembly has no logarithm. Labels are int32 and weights float64,
 * indexed by row; all arguments are byte offsets.
 *
 * exp(x), x <= 0, two lanes at a time: x = -n ln2 + r with |r| <= ln2 / 2 (ln2 in two parts so
 * that n times the first is exact), exp(r) by its Taylor series to r^13 (truncation below 1e-17
 * relative), 2^-n built from its exponent bits. x is first raised to -708, where exp is 3e-308:
 * against a sum of at least 1 that is nothing.
 */

const { i32: int32, f64, v128 } = valueType;
const taylorCoefficients = Array.from({ length: 14 }, (_, power) => {
  let factorial = 1;
  for (let k = 2; k <= power; k++) factorial *= k;
  return 1 / factorial;
});

/** exp of the two lanes in local `x` (clobbered), left on the stack; `n` and `r` are scratch v128 locals. */
function expOfLanes(x: number, n: number, r: number): number[] {
  const horner = taylorCoefficients
    .slice(0, 13)
    .reverse()
    .flatMap((coefficient) => [
      ...get(r),
      ...simd(op.f64x2Mul),
      ...f64x2Constant(coefficient),
      ...simd(op.f64x2Add),
    ]);
  return [
    ...get(x),
    ...f64x2Constant(-708),
    ...simd(op.f64x2Max),
    ...tee(x),
    ...f64x2Constant(-Math.LOG2E),
    ...simd(op.f64x2Mul),
    ...simd(op.f64x2Nearest),
    ...set(n),
    ...get(x),
    ...get(n),
    ...f64x2Constant(0.6931471803691238),
    ...simd(op.f64x2Mul),
    ...simd(op.f64x2Add),
    ...get(n),
    ...f64x2Constant(1.9082149292705877e-10),
    ...simd(op.f64x2Mul),
    ...simd(op.f64x2Add),
    ...set(r),
    ...f64x2Constant(taylorCoefficients[13] as number),
    ...horner,
    // 2^-n: the float64 whose exponent field is 1023 - n and whose mantissa is zero.
    ...i64x2Constant(1023n),
    ...get(n),
    ...simd(op.i32x4TruncSatF64x2SZero),
    ...simd(op.i64x2ExtendLowI32x4S),
    ...simd(op.i64x2Sub),
    ...i32(52),
    ...simd(op.i64x2Shl),
    ...simd(op.f64x2Mul),
  ];
}

export function softmaxResidualsKernel(classes: number): FunctionDefinition {
  const [rowStart, rowEnd, scores, labels, weights, sums, margins, intercept] = [0, 1, 2, 3, 4, 5, 6, 7];
  const [row, base, labelOffset, rowOut] = [8, 9, 10, 11];
  const [max, weight, sum, scale] = [12, 13, 14, 15];
  const [vector, maxSplat, sumVector, scaleSplat, n, r] = [16, 17, 18, 19, 20, 21];
  const pairs = Math.floor(classes / 2);
  const odd = classes % 2 === 1;
  const tail = 16 * pairs;
  const rowBytes = classes * 8;
  const pairOffsets = Array.from({ length: pairs }, (_, pair) => 16 * pair);
  const scalarAt = (pointer: number, byteOffset: number[]) => [...get(pointer), ...byteOffset, op.i32Add];

  const rowBody = [
    // max over the row
    ...get(base),
    ...v128Load(0),
    ...set(vector),
    ...pairOffsets
      .slice(1)
      .flatMap((offset) => [
        ...get(vector),
        ...get(base),
        ...v128Load(offset),
        ...simd(op.f64x2Max),
        ...set(vector),
      ]),
    ...combineLanes(vector, op.f64Max),
    ...(odd ? [...get(base), ...f64Load(tail), op.f64Max] : []),
    ...tee(max),
    ...simd(op.f64x2Splat),
    ...set(maxSplat),
    // the row's label (as a byte offset), weight and margin
    ...get(labels),
    ...get(row),
    ...i32(4),
    op.i32Mul,
    op.i32Add,
    ...i32Load(0),
    ...i32(8),
    op.i32Mul,
    ...set(labelOffset),
    ...scalarAt(weights, [...get(row), ...i32(8), op.i32Mul]),
    ...f64Load(0),
    ...set(weight),
    ...get(margins),
    ...get(rowOut),
    op.i32Add,
    ...scalarAt(base, get(labelOffset)),
    ...f64Load(0),
    ...get(max),
    op.f64Sub,
    ...f64Store(0),
    // exp(s - max), and their sum
    ...f64x2Constant(0),
    ...set(sumVector),
    ...pairOffsets.flatMap((offset) => [
      ...get(base),
      ...v128Load(offset),
      ...get(maxSplat),
      ...simd(op.f64x2Sub),
      ...set(vector),
      ...get(base),
      ...expOfLanes(vector, n, r),
      ...tee(vector),
      ...v128Store(offset),
      ...get(sumVector),
      ...get(vector),
      ...simd(op.f64x2Add),
      ...set(sumVector),
    ]),
    ...combineLanes(sumVector, op.f64Add),
    ...(odd
      ? [
          ...get(base),
          ...v128Load64Zero(tail),
          ...get(maxSplat),
          ...simd(op.f64x2Sub),
          ...set(vector),
          ...get(base),
          ...expOfLanes(vector, n, r),
          ...extractLane(0),
          ...tee(scale),
          ...f64Store(tail),
          ...get(scale),
          op.f64Add,
        ]
      : []),
    ...set(sum),
    ...get(sums),
    ...get(rowOut),
    op.i32Add,
    ...get(sum),
    ...f64Store(0),
    // residuals w * exp / sum, added to the intercept gradient
    ...get(weight),
    ...get(sum),
    op.f64Div,
    ...tee(scale),
    ...simd(op.f64x2Splat),
    ...set(scaleSplat),
    ...pairOffsets.flatMap((offset) => [
      ...get(base),
      ...get(base),
      ...v128Load(offset),
      ...get(scaleSplat),
      ...simd(op.f64x2Mul),
      ...tee(vector),
      ...v128Store(offset),
      ...get(intercept),
      ...get(intercept),
      ...v128Load(offset),
      ...get(vector),
      ...simd(op.f64x2Add),
      ...v128Store(offset),
    ]),
    ...(odd
      ? [
          ...get(base),
          ...get(base),
          ...f64Load(tail),
          ...get(scale),
          op.f64Mul,
          ...tee(scale),
          ...f64Store(tail),
          ...get(intercept),
          ...get(intercept),
          ...f64Load(tail),
          ...get(scale),
          op.f64Add,
          ...f64Store(tail),
        ]
      : []),
    // minus the weight at the label
    ...[base, intercept].flatMap((pointer) => [
      ...scalarAt(pointer, get(labelOffset)),
      ...scalarAt(pointer, get(labelOffset)),
      ...f64Load(0),
      ...get(weight),
      op.f64Sub,
      ...f64Store(0),
    ]),
    ...increment(base, rowBytes),
    ...increment(rowOut, 8),
    ...increment(row, 1),
  ];
  return {
    exportName: 'softmaxResiduals',
    parameters: new Array(8).fill(int32),
    results: [],
    locals: [
      [4, int32],
      [4, f64],
      [6, v128],
    ],
    body: [
      ...get(rowStart),
      ...set(row),
      ...get(scores),
      ...set(base),
      ...i32(0),
      ...set(rowOut),
      ...whileLess(row, rowEnd, rowBody),
    ],
  };
}
