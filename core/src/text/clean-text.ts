import { lowercaseAndFoldAccents } from './fold-accents.js';
import { decodeHtmlEntities, stripHtmlTags } from './html.js';
import { repairMojibake } from './mojibake.js';
import { englishStopWords, frenchStopWords, germanStopWords } from './stop-words.js';

const urlPattern = /\b(?:https?:\/\/|www\.)\S+/gi;
const emailPattern = /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}.-]+\.[\p{L}]{2,}/gu;
/** Words before folding: letters may still carry combining accents. */
const rawWordPattern = /[\p{L}\p{M}\p{N}]+/gu;
const wordPattern = /[\p{L}\p{N}]+/gu;

const stopWords = new Set(
  [...frenchStopWords, ...englishStopWords, ...germanStopWords].map(lowercaseAndFoldAccents),
);

function countDigits(word: string): number {
  let digits = 0;
  for (let index = 0; index < word.length; index++) {
    const code = word.charCodeAt(index);
    if (code >= 48 && code <= 57) digits++;
  }
  return digits;
}

/**
 * A reference code is six characters or more mixing letters and at least three digits
 * (`ref3411772`, `bt1234`); a long number has six digits or more (EANs, ISBNs, product ids).
 * Short numbers and specs (`144`, `ps4`, `1000w`) stay.
 */
function isReferenceOrLongNumber(word: string): boolean {
  return word.length >= 6 && countDigits(word) >= 3;
}

/**
 * Joins digit groups written with hyphens, dots or spaces inside a code (`978-2-07-036822-8`,
 * `12.345.678`) so the group is judged as one number.
 */
function joinDigitGroups(text: string): string {
  return text.replace(/\d(?:[-.]\d+)+/g, (group) => group.replace(/[-.]/g, ''));
}

/** One-character words go, counted in code points as scikit-learn's token pattern counts them. */
function hasTwoCharacters(word: string): boolean {
  return word.length > 2 || (word.length === 2 && (word.charCodeAt(0) & 0xfc00) !== 0xd800);
}

function keepWord(word: string): boolean {
  return hasTwoCharacters(word) && !stopWords.has(word) && !isReferenceOrLongNumber(word);
}

// Catalog text repeats a small vocabulary, so each distinct lowercased word is folded and judged
// once; the same word then always yields the same string objects, whose hashes V8 keeps for the
// vectorizer's lookups. Bounded, as a long-running model server cleans text forever.
const cleanedWords = new Map<string, readonly string[]>();
const cleanedWordsLimit = 500_000;

/** The folded words of one lowercased word that are kept (usually one, none for a stop word). */
function cleanWord(word: string): readonly string[] {
  let cleaned = cleanedWords.get(word);
  if (cleaned === undefined) {
    cleaned = (lowercaseAndFoldAccents(word).match(wordPattern) ?? []).filter(keepWord);
    if (cleanedWords.size >= cleanedWordsLimit) cleanedWords.clear();
    cleanedWords.set(word, cleaned);
  }
  return cleaned;
}

/**
 * The one cleaning applied to every text, at training and at serving time: HTML entities
 * (repeatedly, for double escapes) and tags, mojibake, URLs, e-mail addresses, reference codes
 * and long numbers go; letters are lowercased and their accents folded; stop words (French,
 * English, German) and one-character words are dropped. Appends the remaining words to `words`.
 */
export function appendCleanWords(raw: string, words: string[]): void {
  let text = stripHtmlTags(repairMojibake(decodeHtmlEntities(raw)));
  if (text.includes('@')) text = text.replace(emailPattern, ' ');
  if (/https?:|www\./i.test(text)) text = text.replace(urlPattern, ' ');
  for (const word of joinDigitGroups(text.toLowerCase()).match(rawWordPattern) ?? []) {
    for (const cleaned of cleanWord(word)) words.push(cleaned);
  }
}

/** The words appendCleanWords keeps, joined by one space. */
export function cleanText(raw: string): string {
  const words: string[] = [];
  appendCleanWords(raw, words);
  return words.join(' ');
}
