/** Just enough of the WebAssembly binary format to emit the training kernels (wasm-kernels.ts). */

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
  i32Load: 0x28,
  f64Load: 0x2b,
  f64Store: 0x39,
  i32Const: 0x41,
  i32GeS: 0x4e,
  i32Add: 0x6a,
  i32Mul: 0x6c,
  f64Add: 0xa0,
  f64Mul: 0xa2,
  simd: 0xfd,
  v128Load: 0x00,
  v128Store: 0x0b,
  f64x2Splat: 0x14,
  f64x2ExtractLane: 0x21,
  f64x2Add: 0xf0,
  f64x2Mul: 0xf2,
} as const;

export interface FunctionDefinition {
  exportName: string;
  parameters: number;
  /** Local variable groups beyond the (all i32) parameters: [count, value type]. */
  locals: Array<[number, number]>;
  body: number[];
}

/**
 * A module importing one shared memory `env.memory` of `pages` 64 KiB pages and exporting the
 * given functions, each taking `parameters` i32 arguments and returning nothing.
 */
export function assembleModule(pages: number, functions: FunctionDefinition[]): Uint8Array {
  const types = functions.map((definition) => [
    0x60,
    ...vector(Array.from({ length: definition.parameters }, () => [valueType.i32])),
    0,
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
