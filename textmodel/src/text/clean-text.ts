import { codePointMatcher } from './code-point-matcher.js';
import { lowercaseAndFoldAccents } from './fold-accents.js';
import { decodeHtmlEntities, stripHtmlTags } from './html.js';
import { repairMojibake } from './mojibake.js';
import { englishStopWords, frenchStopWords, germanStopWords } from './stop-words.js';
import { hashOf, WordRuns, WordTable } from './word-table.js';

const urlPattern = /\b(?:https?:\/\/|www\.)\S+/gi;
const emailPattern = /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}.-]+\.[\p{L}]{2,}/gu;
/** A character of a word before folding: letters may still carry combining accents. */
const rawWordRuns = new WordRuns(codePointMatcher(/^[\p{L}\p{M}\p{N}]$/u));
const wordPattern = /[\p{L}\p{N}]+/gu;

const stopWords = new Set(
  [...frenchStopWords, ...englishStopWords, ...germanStopWords].map(lowercaseAndFoldAccents),
);

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

function countDigits(word: string): number {
  let digits = 0;
  for (let index = 0; index < word.length; index++) if (isDigit(word.charCodeAt(index))) digits++;
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

/** One-character words go, counted in code points as scikit-learn's token pattern counts them. */
function hasTwoCharacters(word: string): boolean {
  return word.length > 2 || (word.length === 2 && (word.charCodeAt(0) & 0xfc00) !== 0xd800);
}

function keepWord(word: string): boolean {
  return hasTwoCharacters(word) && !stopWords.has(word) && !isReferenceOrLongNumber(word);
}

/**
 * The cleaned form of each distinct lowercased word, looked up by a hash of the word's characters
 * where they stand in the text, so a word seen before costs no string: catalog text repeats a
 * small vocabulary. The same word always gets the same string objects, whose hashes V8 then
 * keeps for the vectorizer's lookups. Bounded, as a long-running model server cleans text forever.
 */
class CleanedWordCache {
  private static readonly limit = 500_000;
  private readonly words = new WordTable();
  /** Per entry of `words`: its cleaned words. */
  private cleaned: (readonly string[])[] = [];

  /** The kept, folded words of `text.slice(start, end)`, whose characters hash to `hash`. */
  get(text: string, start: number, end: number, hash: number): readonly string[] {
    const entry = this.words.find(text, start, end, hash);
    if (entry !== -1) return this.cleaned[entry] as readonly string[];
    if (this.words.size >= CleanedWordCache.limit) {
      this.words.clear();
      this.cleaned = [];
    }
    const cleaned = cleanRawWord(text.slice(start, end));
    this.words.add(text, start, end, hash);
    this.cleaned.push(cleaned);
    return cleaned;
  }
}

const cleanedWords = new CleanedWordCache();

/**
 * A hyphen or dot between two digits joins a digit group written in parts (`978-2-07-036822-8`,
 * `12.345.678`), so the group is judged as one number.
 */
function isDigitJoin(text: string, index: number): boolean {
  const code = text.charCodeAt(index);
  return (
    (code === 45 || code === 46) && isDigit(text.charCodeAt(index - 1)) && isDigit(text.charCodeAt(index + 1))
  );
}

/**
 * Receives a text's raw words one by one: a word is `text.slice(start, end)` (lowercased), and its
 * characters hash to `hash` (word-table's hashOf).
 */
export interface RawWordVisitor {
  /**
   * Called once per text before its words: the text after the HTML, mojibake, URL and e-mail
   * steps, and its lowercase, in which the words that are not digit groups stand at `start..end`.
   */
  text?(prepared: string, lower: string): void;
  word(text: string, start: number, end: number, hash: number): void;
}

/**
 * The text-level part of the cleaning: HTML entities (repeatedly, for double escapes) and tags,
 * mojibake, URLs and e-mail addresses go, letters are lowercased; then each raw word (a maximal run
 * of letters, marks and digits, digit groups written in parts joined) goes to `visitor`, found in
 * place and hashed as the run is walked.
 */
export function visitRawWords(raw: string, visitor: RawWordVisitor): void {
  let text = stripHtmlTags(repairMojibake(decodeHtmlEntities(raw)));
  if (text.includes('@')) text = text.replace(emailPattern, ' ');
  if (/https?:|www\./i.test(text)) text = text.replace(urlPattern, ' ');
  const lower = text.toLowerCase();
  visitor.text?.(text, lower);
  let index = 0;
  while (index < lower.length) {
    const start = index;
    index = rawWordRuns.walk(lower, index);
    if (index === start) {
      index++;
      continue;
    }
    let joined = false;
    while (isDigitJoin(lower, index)) {
      joined = true;
      index = rawWordRuns.walk(lower, index + 1);
    }
    if (joined) {
      const word = lower.slice(start, index).replace(/[-.]/g, '');
      visitor.word(word, 0, word.length, hashOf(word));
    } else {
      visitor.word(lower, start, index, rawWordRuns.hash);
    }
  }
}

/**
 * The word-level part of the cleaning, for one raw word: accents folded, stop words (French,
 * English, German), one-character words, reference codes and long numbers dropped.
 */
export function cleanRawWord(word: string): string[] {
  return (lowercaseAndFoldAccents(word).match(wordPattern) ?? []).filter(keepWord);
}

const noWords: string[] = [];

class CleanWordAppender implements RawWordVisitor {
  words = noWords;

  word(text: string, start: number, end: number, hash: number): void {
    for (const word of cleanedWords.get(text, start, end, hash)) this.words.push(word);
  }
}

const cleanWordAppender = new CleanWordAppender();

/**
 * The one cleaning applied to every text: visitRawWords, then cleanRawWord on each raw word (which
 * is how ProductTokenIds cleans listings when predicting). Appends the remaining words to `words`.
 */
export function appendCleanWords(raw: string, words: string[]): void {
  cleanWordAppender.words = words;
  visitRawWords(raw, cleanWordAppender);
  cleanWordAppender.words = noWords;
}

/** The words appendCleanWords keeps, joined by one space. */
export function cleanText(raw: string): string {
  const words: string[] = [];
  appendCleanWords(raw, words);
  return words.join(' ');
}
