/**
 * Mojibake repair for catalog text. A repair fires only on a signature that ordinary French,
 * English or German text does not contain, and a re-decoded sequence is kept only when it gives a
 * Latin letter or punctuation (ftfy's test of plausibility): `café\u00a0»` (é, no-break space, »)
 * holds the UTF-8 bytes of 頻 but is left as it is.
 */

// Windows-1252 puts printable characters at 0x80..0x9F; UTF-8 read as cp1252 shows them.
const cp1252HighBytes = new Map<string, number>(
  [...'€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ'].map((char, offset) => [
    char,
    0x80 + offset,
  ]),
);

/** The low six bits of the UTF-8 continuation byte that `text[index]` shows. */
function continuationBits(text: string, index: number): number {
  const code = text.charCodeAt(index);
  return (code < 0x100 ? code : (cp1252HighBytes.get(text.charAt(index)) as number)) & 0x3f;
}

const continuation = '[\\u0080-\\u00bf€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ]';
/**
 * The UTF-8 sequences worth decoding, as cp1252 or Latin-1 shows them: two bytes led by Â, Ã, Ä or
 * Å (`Â·` ·, `Ã©` é, `Å“` œ), three led by â and then 0x80, 0x81, 0x82 or 0x84 (`â€™` ’, `â‚¬` €, `â„¢` ™). Other
 * leads are letters French puts before punctuation (`CAFÉ…`, `é\u00a0»`) and decode to IPA,
 * Greek or CJK; Â, Ã, Ä and Å never end a French word, and â is never followed by `€`, `‚` or `„`.
 */
const utf8AsCp1252Pattern = new RegExp(
  `[\\u00c2-\\u00c5]${continuation}|â[\\u0080-\\u0082\\u0084€‚„]${continuation}`,
  'g',
);

/** Latin-1 letters and punctuation, Latin Extended-A (œ, Œ, š, ł…), the visible general punctuation, € and ™. */
function isLatinLetterOrPunctuation(code: number): boolean {
  return (
    (code >= 0xa0 && code <= 0x17f) ||
    (code >= 0x2000 && code <= 0x200a) ||
    (code >= 0x2010 && code <= 0x2027) ||
    (code >= 0x202f && code <= 0x205e) ||
    code === 0x20ac ||
    code === 0x2122
  );
}

function decodeUtf8Sequence(sequence: string): string {
  const lead = sequence.charCodeAt(0);
  const code =
    sequence.length === 2
      ? ((lead & 0x1f) << 6) | continuationBits(sequence, 1)
      : ((lead & 0x0f) << 12) | (continuationBits(sequence, 1) << 6) | continuationBits(sequence, 2);
  return isLatinLetterOrPunctuation(code) ? String.fromCharCode(code) : sequence;
}

/** UTF-8 read as cp1252 or Latin-1, up to three times over (`ÃƒÂ©` is é encoded twice). */
function decodeUtf8ReadAsCp1252(text: string): string {
  for (let layer = 0; layer < 3; layer++) {
    const decoded = text.replace(utf8AsCp1252Pattern, decodeUtf8Sequence);
    if (decoded === text) break;
    text = decoded;
  }
  return text;
}

/**
 * The lead byte of a two-byte letter shown as `à` instead of `Ã` (`à¢me` for âme): the second
 * byte plus 0x40 is the letter. Not `·` (÷) nor a soft hyphen (í), and `à»`, `à«` only inside a
 * word (`sà»r`): `voilà»` is French. `à¿` is a lost byte, below.
 */
const leadShownAsAGravePattern =
  /à(?:[\u00a1-\u00aa\u00ac\u00ae-\u00b6\u00b8-\u00ba\u00bc-\u00be]|[«»](?=\p{L}))/gu;

function letterOfLeadShownAsAGrave(sequence: string): string {
  return String.fromCharCode(sequence.charCodeAt(1) + 0x40);
}

const letter = /\p{L}/u;
const lowercaseLetter = /\p{Ll}/u;
const space = /\s/;
const isLetter = (char: string) => letter.test(char);
const isLowercaseLetter = (char: string) => lowercaseLetter.test(char);
const isSpaceOrEdge = (char: string) => char === '' || space.test(char);

/**
 * `¿` is what a conversion to Latin-1 wrote for what it could not convert. `Ã¿` (or `à¿`): a
 * two-byte letter whose second byte was lost: a byte with no Latin-1 character (0x80-0x9F), so the
 * letter was a capital À-ß, and É is the one French uses most (é after a lowercase letter). `Ã¿` is
 * also ÿ read as cp1252, far rarer in French.
 */
const lostSecondBytePattern = /[Ãà]¿/g;

function letterOfLostSecondByte(_match: string, offset: number, text: string): string {
  return isLowercaseLetter(text.charAt(offset - 1)) ? 'é' : 'É';
}

/**
 * `¿¿` (not three or more): both bytes of a two-byte letter lost, é in a word (É after a capital)
 * and à standing alone, the two letters French writes most. Left before a capital with no letter
 * before it (`¿¿Qué??`).
 */
const lostTwoBytesPattern = /(?<!¿)¿¿(?!¿)/g;

function letterOfLostTwoBytes(_match: string, offset: number, text: string): string {
  const before = text.charAt(offset - 1);
  const after = text.charAt(offset + 2);
  if (isLetter(before)) return isLowercaseLetter(before) ? 'é' : 'É';
  if (isLowercaseLetter(after)) return 'é';
  if (isSpaceOrEdge(before) && isSpaceOrEdge(after)) return 'à';
  return '¿¿';
}

/**
 * `¿` for a lost œ where French writes œ: before uvr or uf (œuvre, œuf, bœuf), and inside a word
 * before ud, ux, or ur, urs or u ending the word (nœud, vœux, cœur, mœurs, vœu). Elsewhere `¿u` is
 * a lost apostrophe (`d¿un`), where cleaning splits the word as it would at ’, or Spanish
 * (`¿Ud.?`). `¿Uvres` (title case) becomes Œuvres.
 */
const lostOePattern = /¿(u)(?=vr|f|(?<=\p{L}¿u)(?:[dx]|rs?(?!\p{L})|(?!\p{L})))/giu;

function oeOfLostOe(match: string, u: string, offset: number, text: string): string {
  if (u === 'u') return 'œu';
  return isLowercaseLetter(text.charAt(offset + match.length)) ? 'Œu' : 'ŒU';
}

/** Everything a repair above needs; most texts, however many accents they have, have none of it. */
const mayHaveMojibake = new RegExp(
  `[\\u00c2-\\u00c5]${continuation}|â[\\u0080-\\u0082\\u0084€‚„]|à[\\u00a1-\\u00bf]|¿[¿uU]`,
);

/**
 * Repairs the mojibake found in the catalog: UTF-8 read as cp1252 or Latin-1 (`Ã©` é, `Â·` ·,
 * `â€™` ’, `Å“` œ, once or twice over), the lead byte shown as `à` (`à¢me` âme), and letters lost
 * as `¿` (`Ã¿cole` École, `caf¿¿` café, `¿uvre` œuvre). Valid text comes out unchanged.
 */
export function repairMojibake(text: string): string {
  if (!mayHaveMojibake.test(text)) return text;
  const repaired = text
    .replace(lostSecondBytePattern, letterOfLostSecondByte)
    .replace(lostTwoBytesPattern, letterOfLostTwoBytes)
    .replace(lostOePattern, oeOfLostOe);
  return decodeUtf8ReadAsCp1252(repaired.replace(leadShownAsAGravePattern, letterOfLeadShownAsAGrave));
}
