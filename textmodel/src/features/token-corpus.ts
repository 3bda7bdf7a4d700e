import { tokenPattern } from './analyzers.js';

/** Documents as token ids into one dictionary: what word n-gram counting needs, without the texts. */
export interface TokenCorpus {
  /** Token id → token. */
  tokens: string[];
  /** Document d's tokens are `ids[indptr[d]..indptr[d+1])`, in text order. */
  indptr: Int32Array;
  ids: Int32Array;
}

/** Builds a TokenCorpus document by document, numbering tokens as they first appear. */
export class TokenCorpusBuilder {
  private readonly idOf = new Map<string, number>();
  private readonly tokens: string[] = [];
  private ids = new Int32Array(1 << 16);
  private size = 0;
  private readonly indptr: number[] = [0];

  private idFor(token: string): number {
    let id = this.idOf.get(token);
    if (id === undefined) {
      id = this.tokens.length;
      this.idOf.set(token, id);
      this.tokens.push(token);
    }
    return id;
  }

  private reserve(more: number): void {
    if (this.size + more <= this.ids.length) return;
    const ids = new Int32Array(Math.max(this.size + more, 2 * this.ids.length));
    ids.set(this.ids.subarray(0, this.size));
    this.ids = ids;
  }

  addDocument(tokens: readonly string[]): void {
    this.reserve(tokens.length);
    for (const token of tokens) this.ids[this.size++] = this.idFor(token);
    this.indptr.push(this.size);
  }

  /** Appends another corpus's documents, renumbering its tokens into this corpus's dictionary. */
  addCorpus(corpus: TokenCorpus): void {
    const renumbered = Int32Array.from(corpus.tokens, (token) => this.idFor(token));
    this.reserve(corpus.ids.length);
    for (const id of corpus.ids) this.ids[this.size++] = renumbered[id] as number;
    const offset = (this.indptr.at(-1) as number) - (corpus.indptr[0] as number);
    for (let document = 1; document < corpus.indptr.length; document++) {
      this.indptr.push((corpus.indptr[document] as number) + offset);
    }
  }

  build(): TokenCorpus {
    return { tokens: this.tokens, indptr: Int32Array.from(this.indptr), ids: this.ids.slice(0, this.size) };
  }
}

/** The tokens of each text by scikit-learn's default token pattern (runs of two or more word characters). */
export function tokenizeTexts(texts: readonly string[]): TokenCorpus {
  const builder = new TokenCorpusBuilder();
  for (const text of texts) builder.addDocument(text.match(tokenPattern) ?? []);
  return builder.build();
}

/** The text of one document: its tokens joined by a space. */
export function documentText(corpus: TokenCorpus, document: number): string {
  const ids = corpus.ids.subarray(corpus.indptr[document], corpus.indptr[document + 1]);
  return Array.from(ids, (id) => corpus.tokens[id] as string).join(' ');
}
