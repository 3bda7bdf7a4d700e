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
  private readonly fieldOf: number[] = [];
  private readonly textOf: string[] = [];
  private readonly startOf: number[] = [];
  private readonly endOf: number[] = [];

  get size(): number {
    return this.fieldOf.length;
  }

  clear(): void {
    this.fields.length = 0;
    this.fieldOf.length = 0;
    this.textOf.length = 0;
    this.startOf.length = 0;
    this.endOf.length = 0;
  }

  addField(prepared: string, lower: string): void {
    this.fields.push({ prepared, lower });
  }

  /** `count` tokens of the raw word `text.slice(start, end)` of the latest field. */
  addWord(text: string, start: number, end: number, count: number): void {
    for (let index = 0; index < count; index++) {
      this.fieldOf.push(this.fields.length - 1);
      this.textOf.push(text);
      this.startOf.push(start);
      this.endOf.push(end);
    }
  }

  /** Appends again the sources of the first `count` tokens (a repeated designation). */
  repeat(count: number): void {
    for (let index = 0; index < count; index++) {
      this.fieldOf.push(this.fieldOf[index] as number);
      this.textOf.push(this.textOf[index] as string);
      this.startOf.push(this.startOf[index] as number);
      this.endOf.push(this.endOf[index] as number);
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
}
