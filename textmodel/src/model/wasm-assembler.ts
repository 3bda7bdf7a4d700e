/** Just enough of the WebAssembly binary format to emit the training kernels (wasm-kernels.ts, lbfgs-kernels.ts). */

export function unsignedLeb(value: number): number[] {
  const bytes: number[] = [];
  let rest = value >>> 0;
  do {
    let byte = rest & 0x7f;
    rest >>>= 7;
    if (rest !== 0) byte |= 0x80;
    bytes.push(byte);
  } while (rest !== 0);
  return bytes;
}

export function signedLeb(value: number): number[] {
  const bytes: number[] = [];
  let rest = value | 0;
  for (;;) {
    const byte = rest & 0x7f;
    rest >>= 7;
    const done = (rest === 0 && (byte & 0x40) === 0) || (rest === -1 && (byte & 0x40) !== 0);
    bytes.push(done ? byte : byte | 0x80);
    if (done) return bytes;
  }
}

function name(text: string): number[] {
  const bytes = [...Buffer.from(text, 'utf8')];
  return [...unsignedLeb(bytes.length), ...bytes];
}

function vector(items: number[][]): number[] {
  return [...unsignedLeb(items.length), ...items.flat()];
}

function section(id: number, contents: number[]): number[] {
  return [id, ...unsignedLeb(contents.length), ...contents];
}

export const valueType = { i32: 0x7f, f64: 0x7c, v128: 0x7b } as const;

/** Opcodes used by the kernels; SIMD ones follow the 0xfd prefix as LEB128 numbers. */
export const op = {
  block: 0x02,
  loop: 0x03,
  br: 0x0c,
  brIf: 0x0d,
  end: 0x0b,
  emptyBlockType: 0x40,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  i32Load: 0x28,
  f64Load: 0x2b,
  f64Store: 0x39,
  i32Const: 0x41,
  i32Sub: 0x6b,
  f64Sub: 0xa1,
  f64Div: 0xa3,
  i32GeS: 0x4e,
  i32Add: 0x6a,
  i32Mul: 0x6c,
  f64Add: 0xa0,
  f64Mul: 0xa2,
  f64Max: 0xa5,
  simd: 0xfd,
  v128Load: 0x00,
  v128Store: 0x0b,
  v128Const: 0x0c,
  v128Load64Zero: 0x5d,
  f64x2Nearest: 0x94,
  i64x2ExtendLowI32x4S: 0xc7,
  i64x2Shl: 0xcb,
  i64x2Sub: 0xd1,
  f64x2Div: 0xf3,
  i32x4TruncSatF64x2SZero: 0xfc,
  f64x2Splat: 0x14,
  f64x2ExtractLane: 0x21,
  f64x2Abs: 0xec,
  f64x2Neg: 0xed,
  f64x2Add: 0xf0,
  f64x2Sub: 0xf1,
  f64x2Mul: 0xf2,
  f64x2Max: 0xf5,
} as const;

export interface FunctionDefinition {
  exportName: string;
  /** Value types of the parameters, which are locals 0..n-1. */
  parameters: number[];
  results: number[];
  /** Local variable groups after the parameters: [count, value type]. */
  locals: Array<[number, number]>;
  body: number[];
}

/** A module importing one shared memory `env.memory` of `pages` 64 KiB pages and exporting the given functions. */
export function assembleModule(pages: number, functions: FunctionDefinition[]): Uint8Array {
  const types = functions.map((definition) => [
    0x60,
    ...vector(definition.parameters.map((type) => [type])),
    ...vector(definition.results.map((type) => [type])),
  ]);
  const sharedWithMaximum = 0x03;
  const memoryImport = [
    ...name('env'),
    ...name('memory'),
    0x02,
    sharedWithMaximum,
    ...unsignedLeb(pages),
    ...unsignedLeb(pages),
  ];
  const bodies = functions.map((definition) => {
    const body = [
      ...vector(definition.locals.map(([count, type]) => [...unsignedLeb(count), type])),
      ...definition.body,
      op.end,
    ];
    return [...unsignedLeb(body.length), ...body];
  });
  return Uint8Array.from([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, vector(types)),
    ...section(2, vector([memoryImport])),
    ...section(3, vector(functions.map((_, index) => unsignedLeb(index)))),
    ...section(
      7,
      vector(
        functions.map((definition, index) => [...name(definition.exportName), 0x00, ...unsignedLeb(index)]),
      ),
    ),
    ...section(10, vector(bodies)),
  ]);
}

// Instruction sequences shared by the kernels.
export const localGet = (local: number) => [op.localGet, ...unsignedLeb(local)];
export const localSet = (local: number) => [op.localSet, ...unsignedLeb(local)];
export const localTee = (local: number) => [op.localTee, ...unsignedLeb(local)];
export const i32Const = (value: number) => [op.i32Const, ...signedLeb(value)];
export const simd = (code: number) => [op.simd, ...unsignedLeb(code)];
const memoryArgument = (alignLog2: number, offset: number) => [
  ...unsignedLeb(alignLog2),
  ...unsignedLeb(offset),
];
export const v128Load = (offset: number) => [...simd(op.v128Load), ...memoryArgument(3, offset)];
export const v128Store = (offset: number) => [...simd(op.v128Store), ...memoryArgument(3, offset)];
/** Loads one float64 into lane 0 of a v128, lane 1 zero. */
export const v128Load64Zero = (offset: number) => [...simd(op.v128Load64Zero), ...memoryArgument(3, offset)];
export const f64Load = (offset: number) => [op.f64Load, ...memoryArgument(3, offset)];
export const f64Store = (offset: number) => [op.f64Store, ...memoryArgument(3, offset)];
export const i32Load = (offset: number) => [op.i32Load, ...memoryArgument(2, offset)];
/** A v128 constant of two equal float64 lanes. */
export const f64x2Constant = (value: number) => [
  ...simd(op.v128Const),
  ...new Uint8Array(Float64Array.of(value, value).buffer),
];
/** A v128 constant of two equal int64 lanes. */
export const i64x2Constant = (value: bigint) => [
  ...simd(op.v128Const),
  ...new Uint8Array(BigInt64Array.of(value, value).buffer),
];
export const extractLane = (lane: number) => [...simd(op.f64x2ExtractLane), lane];
/** The two float64 lanes of the v128 in `local`, combined by the binary f64 instruction `combine` (f64.add, f64.max). */
export const combineLanes = (local: number, combine: number) => [
  ...localGet(local),
  ...extractLane(0),
  ...localGet(local),
  ...extractLane(1),
  combine,
];
export const increment = (local: number, by: number) => [
  ...localGet(local),
  ...i32Const(by),
  op.i32Add,
  ...localSet(local),
];

/** `while (counter < limit) { body }`, signed comparison. */
export function whileLess(counter: number, limit: number, body: number[]): number[] {
  return [
    op.block,
    op.emptyBlockType,
    op.loop,
    op.emptyBlockType,
    ...localGet(counter),
    ...localGet(limit),
    op.i32GeS,
    op.brIf,
    1,
    ...body,
    op.br,
    0,
    op.end,
    op.end,
  ];
}
