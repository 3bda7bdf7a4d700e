// Windows-1252 puts printable characters at 0x80..0x9F; UTF-8 read as cp1252 shows them.
const cp1252HighBytes = new Map<string, number>(
  [...'€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ'].map((char, offset) => [
    char,
    0x80 + offset,
  ]),
);

function byteOf(char: string): number | undefined {
  const code = char.charCodeAt(0);
  if (code < 0x100) return code;
  return cp1252HighBytes.get(char);
}

const continuation = '[\\u0080-\\u00bf€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ]';
// A UTF-8 lead byte shown as Latin-1 (Ã, Â, â…) followed by the continuation bytes it needs.
const utf8AsLatin1Pattern = new RegExp(
  `[\\u00c2-\\u00df]${continuation}|[\\u00e0-\\u00ef]${continuation}{2}`,
  'g',
);
/**
 * What every repair below needs: a lead byte shown as Latin-1 followed by a continuation byte
 * (`à` followed by one is a lead byte too), or `¿u`. Accented letters alone do not match, so most
 * French text skips the repairs' three scans.
 */
const mayHaveMojibake = new RegExp(`[\\u00c2-\\u00ef]${continuation}|¿u`);
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

function redecode(sequence: string): string {
  const bytes = Uint8Array.from([...sequence], (char) => byteOf(char) ?? 0);
  try {
    return utf8Decoder.decode(bytes);
  } catch {
    return sequence;
  }
}

/**
 * Repairs the common mojibake in the catalog: UTF-8 text that was decoded as Latin-1 or
 * Windows-1252 (`Ã©` for é, `Â·` for ·, `â€™` for ’), the variant where the lead byte came out as
 * `à` (`à¢me` for âme) and the lost œ that shows as `¿` (`¿uvre`).
 */
export function repairMojibake(text: string): string {
  if (!mayHaveMojibake.test(text)) return text;
  return text
    .replace(utf8AsLatin1Pattern, redecode)
    .replace(/à([\u00a1-\u00bf])/g, (_match, second: string) =>
      String.fromCharCode(second.charCodeAt(0) + 0x40),
    )
    .replace(/¿(?=u)/g, 'œ');
}
