import { describe, expect, test } from 'vitest';
import { Utf8Validator } from './utf8-validator.js';

/** The line Utf8Validator reports for `bytes` cut into the given chunks (undefined: valid). */
function firstInvalidLine(chunks: Buffer[]): number | undefined {
  const validator = new Utf8Validator();
  for (const chunk of chunks) {
    const line = validator.write(chunk);
    if (line !== undefined) return line;
  }
  return validator.end();
}

/** Every way of cutting `bytes` in two, and the cut into single bytes. */
function cuts(bytes: Buffer): Buffer[][] {
  const pairs = Array.from({ length: bytes.length + 1 }, (_, at) => [
    bytes.subarray(0, at),
    bytes.subarray(at),
  ]);
  return [...pairs, Array.from(bytes, (byte) => Buffer.from([byte]))];
}

const bytes = (...parts: (string | number[])[]) =>
  Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part) : Buffer.from(part))));

describe('Utf8Validator', () => {
  test('accepts valid UTF-8 however it is cut into chunks, with a BOM and CRLF line ends', () => {
    const text = bytes([0xef, 0xbb, 0xbf], 'a,b\r\n1,"café « œ € ’ »"\r\n2,"\u{1F600} 𝄞\nß"\r\n');
    for (const chunks of cuts(text)) expect(firstInvalidLine(chunks)).toBeUndefined();
  });

  test.each([
    ['a cp1252 é before a space', bytes('a\nb\ncaf', [0xe9], ' noir\nd\n'), 3],
    ['a cp1252 é at the end of its line', bytes('a\nb\ncaf', [0xe9], '\nd\n'), 3],
    ['a lone continuation byte', bytes('a\r\n', [0x80], '\r\n'), 2],
    ['0xFF', bytes('a\nb\nc\nd', [0xff]), 4],
    ['an overlong encoding of /', bytes('x\n', [0xc0, 0xaf]), 2],
    ['a UTF-16 surrogate', bytes('x\ny\n', [0xed, 0xa0, 0x80], '\n'), 3],
    ['a code point above U+10FFFF', bytes([0xf4, 0x90, 0x80, 0x80]), 1],
    ['a character cut by the end of the file', bytes('a\nb\n€', [0xe2, 0x82]), 3],
    ['a character cut by a newline', bytes('a\n', [0xf0, 0x9f], '\nb\n'), 2],
  ])('names the line of the first invalid byte: %s, however the bytes are cut', (_, text, line) => {
    for (const chunks of cuts(text)) expect(firstInvalidLine(chunks)).toBe(line);
  });

  test('counts lines across many chunks before the invalid byte', () => {
    const lines = Array.from({ length: 5_000 }, (_, index) => `${index},désignation ${index}\n`);
    const text = bytes(lines.join(''), 'fin', [0xe9], '\n');
    const chunks: Buffer[] = [];
    for (let start = 0; start < text.length; start += 1_000) chunks.push(text.subarray(start, start + 1_000));
    expect(firstInvalidLine(chunks)).toBe(5_001);
  });
});
