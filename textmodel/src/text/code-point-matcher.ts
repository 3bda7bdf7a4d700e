/**
 * For a pattern matching one code point (`/^[...]$/u`): a function telling how many UTF-16 units
 * the code point at `index` takes when it matches (1, or 2 for a surrogate pair), 0 when it does
 * not (a lone surrogate never matches). Answers are remembered per code unit and code point, so
 * scanning a text costs a table lookup per character instead of a regular expression.
 */
export function codePointMatcher(pattern: RegExp): (text: string, index: number) => number {
  const ascii = Uint8Array.from({ length: 128 }, (_, code) =>
    pattern.test(String.fromCharCode(code)) ? 1 : 0,
  );
  /** Per BMP code unit: 0 not classified yet, 1 matches, 2 does not. */
  const bmp = new Uint8Array(0x10000);
  const astral = new Map<number, boolean>();
  return (text, index) => {
    const code = text.charCodeAt(index);
    if (code < 128) return ascii[code] as number;
    if (code < 0xd800 || code > 0xdfff) {
      let kind = bmp[code] as number;
      if (kind === 0) {
        kind = pattern.test(String.fromCharCode(code)) ? 1 : 2;
        bmp[code] = kind;
      }
      return kind === 1 ? 1 : 0;
    }
    const codePoint = text.codePointAt(index) as number;
    if (codePoint <= 0xffff) return 0;
    let matches = astral.get(codePoint);
    if (matches === undefined) {
      matches = pattern.test(String.fromCodePoint(codePoint));
      astral.set(codePoint, matches);
    }
    return matches ? 2 : 0;
  };
}
