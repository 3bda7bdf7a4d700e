import { reserve } from './word-table.js';

/** A text's prepared form (visitRawWords' `text` hook) and its lowercase. */
interface FieldText {
  prepared: string;
  lower: string;
}

/** Characters of a phrase beyond its words' own (spaces, dropped stop words) still shown as one span. */
const maxGapCharacters = 24;

/**
 * Where each token of a listing came from: the raw word, before accents were folded and stop
 * words dropped, in the text of its field. Lets an explanation show a term as the listing wrote it.
 */
export class TokenSources {
  private readonly fields: FieldText[] = [];
  private fieldCount = 0;
  /** By token: its field, the text its raw word stands in and the word's bounds there; `size` of them hold. */
  private fieldOf = new Int32Array(256);
  private readonly textOf: string[] = [];
  private startOf = new Int32Array(256);
  private endOf = new Int32Array(256);
  private tokens = 0;

  get size(): number {
    return this.tokens;
  }

  /** Starts over; the memory stays for the next listing. */
  clear(): void {
    this.fieldCount = 0;
    this.tokens = 0;
  }

  addField(prepared: string, lower: string): void {
    const field = this.fields[this.fieldCount];
    if (field) {
      field.prepared = prepared;
      field.lower = lower;
    } else this.fields.push({ prepared, lower });
    this.fieldCount++;
  }

  /** `count` tokens of the raw word `text.slice(start, end)` of the latest field. */
  addWord(text: string, start: number, end: number, count: number): void {
    this.reserve(this.tokens + count);
    for (let index = 0; index < count; index++)
      this.set(this.tokens++, this.fieldCount - 1, text, start, end);
  }

  /** Appends again the sources of the first `count` tokens (a repeated designation). */
  repeat(count: number): void {
    this.reserve(this.tokens + count);
    for (let index = 0; index < count; index++) {
      this.set(
        this.tokens++,
        this.fieldOf[index] as number,
        this.textOf[index] as string,
        this.startOf[index] as number,
        this.endOf[index] as number,
      );
    }
  }

  /**
   * How tokens `first..last` (inclusive) read in the listing: the span of the field's text from
   * the first word to the last, case kept, when they stand in order in one field close together;
   * otherwise their raw words joined by a space.
   */
  phrase(first: number, last: number): string {
    const span = this.span(first, last);
    if (span !== null) return span;
    const words: string[] = [];
    for (let token = first; token <= last; token++) {
      const word = this.span(token, token) ?? (this.textOf[token] as string);
      if (words[words.length - 1] !== word) words.push(word);
    }
    return words.join(' ');
  }

  private span(first: number, last: number): string | null {
    const field = this.fields[this.fieldOf[first] as number] as FieldText;
    let end = this.endOf[first] as number;
    let wordCharacters = end - (this.startOf[first] as number);
    for (let token = first; token <= last; token++) {
      if (this.textOf[token] !== field.lower) return null;
      if (token > first) {
        if ((this.startOf[token] as number) < (this.startOf[token - 1] as number)) return null;
        if ((this.startOf[token] as number) >= end) {
          wordCharacters += (this.endOf[token] as number) - (this.startOf[token] as number);
        }
        end = Math.max(end, this.endOf[token] as number);
      }
    }
    const start = this.startOf[first] as number;
    if (end - start > wordCharacters + maxGapCharacters) return null;
    // Lowercasing changed the length (rare letters such as İ): positions hold in the lowercase only.
    const source = field.prepared.length === field.lower.length ? field.prepared : field.lower;
    const text = source.slice(start, end);
    // One raw word holds no space; the regular expression is for the gaps between words.
    return first === last ? text : text.replace(/\s+/g, ' ');
  }

  private set(token: number, field: number, text: string, start: number, end: number): void {
    this.fieldOf[token] = field;
    this.textOf[token] = text;
    this.startOf[token] = start;
    this.endOf[token] = end;
  }

  private reserve(tokens: number): void {
    if (tokens <= this.fieldOf.length) return;
    this.fieldOf = reserve(this.fieldOf, tokens);
    this.startOf = reserve(this.startOf, tokens);
    this.endOf = reserve(this.endOf, tokens);
  }
}
