import { type Analyzer, type AnalyzerKind, buildAnalyzer } from './analyzers.js';
import { KnownTokens } from './known-tokens.js';
import type { TokenCorpus } from './token-corpus.js';

/** Term counts per document, before any weighting, over terms numbered in order of appearance. */
export interface TermCounts {
  termCount: number;
  termString(term: number): string;
  indptr: Int32Array;
  termIds: Int32Array;
  counts: Float64Array;
}

/**
 * Collects the term ids of one document at a time and counts them when the document ends, by
 * sorting them: a document's entries come out in term id order. (Marking terms as seen in a
 * per-term array instead cost a cache miss per term once the vocabulary outgrew the caches.)
 */
class TermCountsBuilder {
  private readonly indptr: Int32Array;
  private termIds: Int32Array;
  private counts: Float64Array;
  private size = 0;
  private documentTerms = new Int32Array(256);
  private documentSize = 0;
  private document = 0;

  /** `entryCapacity`: room for this many entries before growing (an upper bound saves the copies). */
  constructor(documents: number, entryCapacity = 1 << 16) {
    this.indptr = new Int32Array(documents + 1);
    this.termIds = new Int32Array(entryCapacity);
    this.counts = new Float64Array(entryCapacity);
  }

  add(term: number): void {
    if (this.documentSize === this.documentTerms.length) {
      const grown = new Int32Array(2 * this.documentTerms.length);
      grown.set(this.documentTerms);
      this.documentTerms = grown;
    }
    this.documentTerms[this.documentSize++] = term;
  }

  endDocument(): void {
    if (this.size + this.documentSize > this.termIds.length) this.growEntries(this.size + this.documentSize);
    const terms = this.documentTerms.subarray(0, this.documentSize).sort();
    for (let start = 0; start < terms.length; ) {
      const term = terms[start] as number;
      let end = start + 1;
      while (end < terms.length && terms[end] === term) end++;
      this.termIds[this.size] = term;
      this.counts[this.size] = end - start;
      this.size++;
      start = end;
    }
    this.documentSize = 0;
    this.document++;
    this.indptr[this.document] = this.size;
  }

  private growEntries(needed: number): void {
    const capacity = Math.max(needed, 2 * this.termIds.length);
    const termIds = new Int32Array(capacity);
    termIds.set(this.termIds);
    this.termIds = termIds;
    const counts = new Float64Array(capacity);
    counts.set(this.counts);
    this.counts = counts;
  }

  finish(termCount: number, termString: (term: number) => string): TermCounts {
    return {
      termCount,
      termString,
      indptr: this.indptr,
      termIds: this.termIds.subarray(0, this.size),
      counts: this.counts.subarray(0, this.size),
    };
  }
}

/**
 * An open-addressing hash map from a pair of non-negative int32 to an int32, on one typed array:
 * a slot's first, second and value sit side by side, so a lookup touches one cache line.
 */
class PairMap {
  private slots: Int32Array;
  private size = 0;

  /** `capacity` is a power of two; the map doubles it whenever it gets half full. */
  constructor(capacity = 1 << 16) {
    this.slots = new Int32Array(4 * capacity).fill(-1);
  }

  /** The index in `slots` of the pair's slot, or of the empty slot where it would go. */
  private find(first: number, second: number): number {
    const mask = this.slots.length / 4 - 1;
    let slot = (Math.imul(first, 0x9e3779b1) ^ Math.imul(second, 0x85ebca77)) & mask;
    for (;;) {
      const at = 4 * slot;
      const stored = this.slots[at] as number;
      if (stored === -1 || (stored === first && this.slots[at + 1] === second)) return at;
      slot = (slot + 1) & mask;
    }
  }

  /** The value stored for the pair, or -1. */
  get(first: number, second: number): number {
    return this.slots[this.find(first, second) + 2] as number;
  }

  set(first: number, second: number, value: number): void {
    if (2 * (this.size + 1) > this.slots.length / 4) this.grow();
    const at = this.find(first, second);
    if (this.slots[at] === -1) this.size++;
    this.slots[at] = first;
    this.slots[at + 1] = second;
    this.slots[at + 2] = value;
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Int32Array(2 * old.length).fill(-1);
    this.size = 0;
    for (let at = 0; at < old.length; at += 4) {
      if (old[at] !== -1) this.set(old[at] as number, old[at + 1] as number, old[at + 2] as number);
    }
  }
}

/**
 * Word n-gram counts without building a string per n-gram occurrence: unigram terms are the
 * corpus's token ids; a longer n-gram is the pair (term of its first n-1 tokens, last token),
 * numbered after the tokens; the text of a term is only made when asked for.
 */
export function countWordNgrams(corpus: TokenCorpus, [minN, maxN]: [number, number]): TermCounts {
  const { tokens, indptr, ids } = corpus;
  const documents = indptr.length - 1;
  const termOfPair = new PairMap();
  const termPrefix: number[] = [];
  const termLastToken: number[] = [];
  // A document has at most one entry per token and n.
  const builder = new TermCountsBuilder(documents, ids.length * (maxN - minN + 1));
  for (let document = 0; document < documents; document++) {
    const end = indptr[document + 1] as number;
    for (let start = indptr[document] as number; start < end; start++) {
      let term = ids[start] as number;
      if (minN === 1) builder.add(term);
      for (let n = 2; n <= maxN && start + n <= end; n++) {
        const lastToken = ids[start + n - 1] as number;
        let next = termOfPair.get(term, lastToken);
        if (next === -1) {
          next = tokens.length + termPrefix.length;
          termPrefix.push(term);
          termLastToken.push(lastToken);
          termOfPair.set(term, lastToken, next);
        }
        if (n >= minN) builder.add(next);
        term = next;
      }
    }
    builder.endDocument();
  }
  const termString = (term: number): string => {
    if (term < tokens.length) return tokens[term] as string;
    const pair = term - tokens.length;
    return `${termString(termPrefix[pair] as number)} ${tokens[termLastToken[pair] as number]}`;
  };
  return builder.finish(tokens.length + termPrefix.length, termString);
}

/** Counts the terms of every document for an analyzer other than word n-grams, numbering terms as they first appear. */
export function countAnalyzedTerms(
  documents: readonly string[],
  analyzer: AnalyzerKind,
  ngramRange: [number, number],
): TermCounts {
  const analyze = buildAnalyzer(analyzer, ngramRange);
  const idOf = new Map<string, number>();
  const terms: string[] = [];
  const builder = new TermCountsBuilder(documents.length);
  for (const document of documents) {
    for (const term of analyze(document)) {
      let id = idOf.get(term);
      if (id === undefined) {
        id = terms.length;
        idOf.set(term, id);
        terms.push(term);
      }
      builder.add(id);
    }
    builder.endDocument();
  }
  return builder.finish(terms.length, (term) => terms[term] as string);
}

/** The known terms of one document, in memory the next document reuses. */
export interface DocumentTermCounts {
  /** The columns of the document's known terms, in order of first appearance. */
  columns: Int32Array;
  /** Per column of the vocabulary: its count in the document, 0 for the columns not in `columns`. */
  countOf: Float64Array;
}

/**
 * The word n-grams of a vocabulary as a trie over tokens: a token's node is its id among the
 * vocabulary's tokens, an n-gram's node is the pair (node of its first n-1 tokens, node of its
 * last token), so matching a document's n-grams never builds their text.
 */
class WordNgramTrie {
  readonly tokens: KnownTokens;
  // Small, as a document's n-grams are looked up here one by one and a table that stays in the
  // CPU's caches is what makes that fast; it grows as the vocabulary's n-grams are added.
  readonly nodeOfPair = new PairMap(1024);
  /** Per node: the vocabulary column of its n-gram, or -1 when it is only a prefix of longer ones. */
  readonly columnOf: Int32Array;

  constructor(vocabulary: readonly string[]) {
    const termTokens = vocabulary.map((term) => term.split(' '));
    const tokenIds = new Map<string, number>();
    for (const tokens of termTokens) {
      for (const token of tokens) if (!tokenIds.has(token)) tokenIds.set(token, tokenIds.size);
    }
    this.tokens = new KnownTokens([...tokenIds.keys()]);
    const columnOf: number[] = new Array(tokenIds.size).fill(-1);
    termTokens.forEach(([first, ...rest], column) => {
      let node = tokenIds.get(first as string) as number;
      for (const token of rest) {
        const last = tokenIds.get(token) as number;
        let next = this.nodeOfPair.get(node, last);
        if (next === -1) {
          next = columnOf.push(-1) - 1;
          this.nodeOfPair.set(node, last, next);
        }
        node = next;
      }
      columnOf[node] = column;
    });
    this.columnOf = Int32Array.from(columnOf);
  }
}

/** For analyzers other than word n-grams: the analyzer, and the column of each vocabulary term. */
interface AnalyzedVocabulary {
  analyze: Analyzer;
  columnOf: ReadonlyMap<string, number>;
}

/**
 * Counts the terms of one document at a time that are in a fixed vocabulary (term → column),
 * reusing its working memory: counting a document's word n-grams allocates nothing.
 * Same terms and counts as the analyzer followed by a vocabulary lookup.
 */
export class KnownTermCounter {
  private readonly countOf: Float64Array;
  private columns = new Int32Array(256);
  private size = 0;
  private readonly wordNgrams: WordNgramTrie | null;
  private readonly analyzedTerms: AnalyzedVocabulary | null;
  /**
   * When the document counted last was counted noting first occurrences: by column (at 2 ×
   * column, for the columns it holds), the first token of its first word n-gram and the
   * n-gram's length. Allocated the first time it is asked for.
   */
  private firstOf: Int32Array | null = null;
  private notingFirst = false;

  constructor(
    analyzer: AnalyzerKind,
    private readonly ngramRange: [number, number],
    vocabulary: readonly string[],
  ) {
    this.countOf = new Float64Array(vocabulary.length);
    this.wordNgrams = analyzer === 'word' ? new WordNgramTrie(vocabulary) : null;
    this.analyzedTerms =
      analyzer === 'word'
        ? null
        : {
            analyze: buildAnalyzer(analyzer, ngramRange),
            columnOf: new Map(vocabulary.map((term, index) => [term, index])),
          };
  }

  count(document: string): DocumentTermCounts {
    this.clear();
    this.notingFirst = false;
    if (this.wordNgrams) {
      const ids = this.wordNgrams.tokens.scan(document);
      this.addWordNgrams(ids, this.wordNgrams);
    } else if (this.analyzedTerms) this.addAnalyzedTerms(document, this.analyzedTerms);
    return { columns: this.columns.subarray(0, this.size), countOf: this.countOf };
  }

  /** The ids of `tokens` among the vocabulary's tokens (-1 for the others); word analyzer only. */
  tokenIds(tokens: readonly string[]): Int32Array {
    return this.wordTrie().tokens.lookup(tokens);
  }

  /**
   * `count` for a document given by its tokens' ids (`tokenIds`); word analyzer only. With
   * `noteFirst`, also notes where each term first occurs, for `firstWordNgrams`.
   */
  countTokenIds(ids: Int32Array, noteFirst = false): DocumentTermCounts {
    this.clear();
    this.notingFirst = noteFirst;
    if (noteFirst) this.firstOf ??= new Int32Array(2 * this.countOf.length);
    this.addWordNgrams(ids, this.wordTrie());
    return { columns: this.columns.subarray(0, this.size), countOf: this.countOf };
  }

  /**
   * Where each of `columns` first occurs among the word n-grams of the document counted last:
   * `first[i]` and `last[i]` are the first and last token of the first n-gram of `columns[i]`,
   * -1 when it does not occur or was not counted by `countTokenIds(ids, true)`. Counting noted
   * them, so this reads two numbers per column.
   */
  firstWordNgrams(columns: ArrayLike<number>, first: Int32Array, last: Int32Array): void {
    const firstOf = this.notingFirst ? this.firstOf : null;
    for (let index = 0; index < columns.length; index++) {
      const column = columns[index] as number;
      const start = firstOf && (this.countOf[column] as number) > 0 ? (firstOf[2 * column] as number) : -1;
      first[index] = start;
      last[index] = start < 0 ? -1 : start + (firstOf?.[2 * column + 1] as number) - 1;
    }
  }

  private wordTrie(): WordNgramTrie {
    if (!this.wordNgrams) throw new Error('token ids are only counted by the word analyzer');
    return this.wordNgrams;
  }

  private clear(): void {
    for (let entry = 0; entry < this.size; entry++) this.countOf[this.columns[entry] as number] = 0;
    this.size = 0;
  }

  /** Counts `column` once more; its first time in the document, notes where: the n-gram of `n` tokens from token `start`. */
  private add(column: number, start: number, n: number): void {
    if (column < 0) return;
    if (this.countOf[column] === 0) {
      if (this.notingFirst) {
        const firstOf = this.firstOf as Int32Array;
        firstOf[2 * column] = start;
        firstOf[2 * column + 1] = n;
      }
      if (this.size === this.columns.length) {
        const columns = new Int32Array(this.size * 2);
        columns.set(this.columns);
        this.columns = columns;
      }
      this.columns[this.size++] = column;
    }
    this.countOf[column] = (this.countOf[column] as number) + 1;
  }

  /** The word n-grams of a document given by its token ids. */
  private addWordNgrams(nodes: Int32Array, trie: WordNgramTrie): void {
    const tokenCount = nodes.length;
    const [minN, maxN] = this.ngramRange;
    for (let start = 0; start < tokenCount; start++) {
      let node = nodes[start] as number;
      if (node < 0) continue;
      if (minN === 1) this.add(trie.columnOf[node] as number, start, 1);
      for (let n = 2; n <= maxN && start + n <= tokenCount; n++) {
        const last = nodes[start + n - 1] as number;
        if (last < 0) break;
        node = trie.nodeOfPair.get(node, last);
        if (node < 0) break;
        if (n >= minN) this.add(trie.columnOf[node] as number, start, n);
      }
    }
  }

  private addAnalyzedTerms(document: string, { analyze, columnOf }: AnalyzedVocabulary): void {
    for (const term of analyze(document)) this.add(columnOf.get(term) ?? -1, -1, 0);
  }
}
