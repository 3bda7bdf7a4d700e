import { type AnalyzerKind, buildAnalyzer, tokenPattern } from './analyzers.js';

/** Term counts per document, before any weighting, over terms numbered in order of appearance. */
export interface TermCounts {
  termCount: number;
  termString(term: number): string;
  indptr: Int32Array;
  termIds: Int32Array;
  counts: Float64Array;
}

/**
 * Collects each document's (term, count) entries without sorting them. A collector can be reused
 * for batch after batch (the model server transforms one request at a time): its per-term arrays
 * remember documents by a running number, so nothing needs clearing or reallocating between batches.
 */
class EntryCollector {
  indptr = new Int32Array(1);
  private termIds: number[] = [];
  private counts: number[] = [];
  /** Per term: the running number of the last document it was seen in, and where its entry is. */
  private lastDocument: Int32Array;
  private position: Int32Array;
  private document = 0;
  private batchStart = 0;

  constructor(termCapacity = 1024) {
    this.lastDocument = new Int32Array(termCapacity).fill(-1);
    this.position = new Int32Array(termCapacity);
  }

  begin(documents: number): this {
    if (this.document > 2 ** 30) {
      this.lastDocument.fill(-1);
      this.document = 0;
    }
    this.batchStart = this.document;
    this.indptr = new Int32Array(documents + 1);
    this.termIds = [];
    this.counts = [];
    return this;
  }

  add(term: number): void {
    if (term >= this.lastDocument.length) this.grow(term);
    if (this.lastDocument[term] === this.document) {
      const at = this.position[term] as number;
      this.counts[at] = (this.counts[at] as number) + 1;
      return;
    }
    this.lastDocument[term] = this.document;
    this.position[term] = this.termIds.length;
    this.termIds.push(term);
    this.counts.push(1);
  }

  private grow(term: number): void {
    const capacity = Math.max(term + 1, this.lastDocument.length * 2);
    const lastDocument = new Int32Array(capacity).fill(-1);
    lastDocument.set(this.lastDocument);
    const position = new Int32Array(capacity);
    position.set(this.position);
    this.lastDocument = lastDocument;
    this.position = position;
  }

  endDocument(): void {
    this.document++;
    this.indptr[this.document - this.batchStart] = this.termIds.length;
  }

  finish(termCount: number, termString: (term: number) => string): TermCounts {
    return {
      termCount,
      termString,
      indptr: this.indptr,
      termIds: Int32Array.from(this.termIds),
      counts: Float64Array.from(this.counts),
    };
  }
}

/** An open-addressing hash map from a pair of non-negative int32 to an int32, on typed arrays. */
class PairMap {
  private firsts = new Int32Array(1 << 16).fill(-1);
  private seconds = new Int32Array(1 << 16);
  private values = new Int32Array(1 << 16);
  private size = 0;

  private slot(first: number, second: number): number {
    const mask = this.firsts.length - 1;
    let slot = (Math.imul(first, 0x9e3779b1) ^ Math.imul(second, 0x85ebca77)) & mask;
    while (this.firsts[slot] !== -1 && (this.firsts[slot] !== first || this.seconds[slot] !== second)) {
      slot = (slot + 1) & mask;
    }
    return slot;
  }

  /** The value stored for the pair, or -1. */
  get(first: number, second: number): number {
    const slot = this.slot(first, second);
    return this.firsts[slot] === -1 ? -1 : (this.values[slot] as number);
  }

  set(first: number, second: number, value: number): void {
    if (2 * (this.size + 1) > this.firsts.length) this.grow();
    const slot = this.slot(first, second);
    if (this.firsts[slot] === -1) this.size++;
    this.firsts[slot] = first;
    this.seconds[slot] = second;
    this.values[slot] = value;
  }

  private grow(): void {
    const { firsts, seconds, values } = this;
    this.firsts = new Int32Array(firsts.length * 2).fill(-1);
    this.seconds = new Int32Array(firsts.length * 2);
    this.values = new Int32Array(firsts.length * 2);
    this.size = 0;
    for (let slot = 0; slot < firsts.length; slot++) {
      if (firsts[slot] !== -1)
        this.set(firsts[slot] as number, seconds[slot] as number, values[slot] as number);
    }
  }
}

/**
 * Word n-gram counts without building a string per n-gram occurrence: each n-gram is the pair
 * (term of its first n-1 tokens, last token); the text of a term is only made when asked for.
 * Same terms and counts as the word analyzer.
 */
function countWordNgrams(documents: readonly string[], minN: number, maxN: number): TermCounts {
  const tokenIndexOf = new Map<string, number>();
  const tokens: string[] = [];
  const unigramTerm: number[] = [];
  const termOfPair = new PairMap();
  const termPrefix: number[] = [];
  const termLastToken: number[] = [];
  const collector = new EntryCollector().begin(documents.length);
  const documentTokens: number[] = [];
  let termCount = 0;
  const newTerm = (prefix: number, lastToken: number) => {
    termPrefix.push(prefix);
    termLastToken.push(lastToken);
    return termCount++;
  };
  for (const document of documents) {
    documentTokens.length = 0;
    for (const token of document.match(tokenPattern) ?? []) {
      let index = tokenIndexOf.get(token);
      if (index === undefined) {
        index = tokens.length;
        tokenIndexOf.set(token, index);
        tokens.push(token);
        unigramTerm.push(newTerm(-1, index));
      }
      documentTokens.push(index);
    }
    for (let start = 0; start < documentTokens.length; start++) {
      let term = unigramTerm[documentTokens[start] as number] as number;
      if (minN === 1) collector.add(term);
      for (let n = 2; n <= maxN && start + n <= documentTokens.length; n++) {
        const lastToken = documentTokens[start + n - 1] as number;
        let next = termOfPair.get(term, lastToken);
        if (next === -1) {
          next = newTerm(term, lastToken);
          termOfPair.set(term, lastToken, next);
        }
        if (n >= minN) collector.add(next);
        term = next;
      }
    }
    collector.endDocument();
  }
  const termString = (term: number): string => {
    const prefix = termPrefix[term] as number;
    const last = tokens[termLastToken[term] as number] as string;
    return prefix < 0 ? last : `${termString(prefix)} ${last}`;
  };
  return collector.finish(termCount, termString);
}

function countAnalyzedTerms(
  documents: readonly string[],
  analyzer: AnalyzerKind,
  ngramRange: [number, number],
): TermCounts {
  const analyze = buildAnalyzer(analyzer, ngramRange);
  const idOf = new Map<string, number>();
  const terms: string[] = [];
  const collector = new EntryCollector().begin(documents.length);
  for (const document of documents) {
    for (const term of analyze(document)) {
      let id = idOf.get(term);
      if (id === undefined) {
        id = terms.length;
        idOf.set(term, id);
        terms.push(term);
      }
      collector.add(id);
    }
    collector.endDocument();
  }
  return collector.finish(terms.length, (term) => terms[term] as string);
}

/** Counts the terms of every document, numbering terms as they first appear. */
export function countTerms(
  documents: readonly string[],
  analyzer: AnalyzerKind,
  ngramRange: [number, number],
): TermCounts {
  return analyzer === 'word'
    ? countWordNgrams(documents, ngramRange[0], ngramRange[1])
    : countAnalyzedTerms(documents, analyzer, ngramRange);
}

/**
 * Counts the terms of documents that are in a fixed vocabulary (term → column), batch after batch,
 * reusing its working memory: transforming one request allocates only the counts it returns.
 */
export class KnownTermCounter {
  private readonly analyze: (text: string) => string[];
  private readonly columnOf: ReadonlyMap<string, number>;
  private readonly collector: EntryCollector;

  constructor(
    analyzer: AnalyzerKind,
    ngramRange: [number, number],
    private readonly vocabulary: readonly string[],
  ) {
    this.analyze = buildAnalyzer(analyzer, ngramRange);
    this.columnOf = new Map(vocabulary.map((term, index) => [term, index]));
    this.collector = new EntryCollector(vocabulary.length);
  }

  count(documents: readonly string[]): TermCounts {
    const collector = this.collector.begin(documents.length);
    for (const document of documents) {
      for (const term of this.analyze(document)) {
        const column = this.columnOf.get(term);
        if (column !== undefined) collector.add(column);
      }
      collector.endDocument();
    }
    return collector.finish(this.vocabulary.length, (term) => this.vocabulary[term] as string);
  }
}
