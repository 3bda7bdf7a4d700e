import type { AnalyzerKind } from './analyzers.js';
import type { CsrMatrix, SparseRow } from './sparse-matrix.js';
import {
  countAnalyzedTerms,
  countWordNgrams,
  type DocumentTermCounts,
  KnownTermCounter,
  type TermCounts,
} from './term-counts.js';
import { documentText, type TokenCorpus, tokenizeTexts } from './token-corpus.js';

export interface TfidfSettings {
  analyzer: AnalyzerKind;
  ngramRange: [number, number];
  /** Keep only this many terms, the most frequent over the corpus; null keeps all. */
  maxFeatures: number | null;
  /** Drop terms found in fewer documents than this. */
  minDf: number;
  /** Drop terms found in more than this share of the documents. */
  maxDf: number;
  sublinearTf: boolean;
  smoothIdf: boolean;
}

export { defaultTfidfSettings } from '../estimator-defaults.js';

/** What fitting learns: the vocabulary (column order) and each column's inverse document frequency. */
export interface TfidfState {
  settings: TfidfSettings;
  vocabulary: string[];
  idf: Float64Array;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The `limit` terms with the highest corpus frequency; among terms tied at the cut, the
 * alphabetically first. Only the tied terms' texts are compared.
 */
function mostFrequentTerms(
  terms: number[],
  limit: number,
  corpusFrequency: Float64Array,
  termString: (term: number) => string,
): number[] {
  const byFrequency = [...terms].sort(
    (a, b) => (corpusFrequency[b] as number) - (corpusFrequency[a] as number),
  );
  const cutFrequency = corpusFrequency[byFrequency[limit - 1] as number] as number;
  const above = byFrequency.filter((term) => (corpusFrequency[term] as number) > cutFrequency);
  const tied = byFrequency
    .filter((term) => corpusFrequency[term] === cutFrequency)
    .map((term) => ({ term, text: termString(term) }))
    .sort((a, b) => compareStrings(a.text, b.text));
  return [...above, ...tied.slice(0, limit - above.length).map(({ term }) => term)];
}

/**
 * Sorts the columns `indices[start..end)` and writes their weights, divided by the row's l2 norm,
 * to `values[start..end)`.
 */
function normaliseRow(
  indices: Int32Array,
  start: number,
  end: number,
  weightOf: Float64Array,
  values: Float64Array,
): void {
  indices.subarray(start, end).sort();
  let squaredNorm = 0;
  for (let entry = start; entry < end; entry++) {
    squaredNorm += (weightOf[indices[entry] as number] as number) ** 2;
  }
  const norm = squaredNorm > 0 ? Math.sqrt(squaredNorm) : 1;
  for (let entry = start; entry < end; entry++) {
    values[entry] = (weightOf[indices[entry] as number] as number) / norm;
  }
}

/**
 * Term-frequency / inverse-document-frequency features with scikit-learn's TfidfVectorizer
 * semantics (use_idf, l2 norm): vocabulary sorted alphabetically, max_features keeps the terms
 * with the highest corpus counts (ties go to the alphabetically first term; scikit-learn's own tie
 * order is that of an unstable sort), idf = ln(n / df) + 1 with one smoothing document if smoothIdf.
 */
export class TfidfVectorizer {
  private state: TfidfState | null = null;
  private knownTerms: KnownTermCounter | null = null;
  private rowWeights: Float64Array | null = null;
  /** transformRow's answer. */
  private rowIndices = new Int32Array(256);
  private rowValues = new Float64Array(256);

  constructor(readonly settings: TfidfSettings) {
    const [minN, maxN] = settings.ngramRange;
    if (!(Number.isInteger(minN) && Number.isInteger(maxN) && minN >= 1 && maxN >= minN)) {
      throw new Error(`ngram range must be two integers 1 <= min <= max, got [${minN}, ${maxN}]`);
    }
    if (!(settings.maxDf > 0 && settings.maxDf <= 1))
      throw new Error(`max_df must be in (0, 1], got ${settings.maxDf}`);
    if (!(Number.isInteger(settings.minDf) && settings.minDf >= 1)) {
      throw new Error(`min_df must be a whole number of documents >= 1, got ${settings.minDf}`);
    }
    if (
      settings.maxFeatures !== null &&
      !(Number.isInteger(settings.maxFeatures) && settings.maxFeatures >= 1)
    ) {
      throw new Error(`max_features must be a whole number >= 1, got ${settings.maxFeatures}`);
    }
  }

  static fromState(state: TfidfState): TfidfVectorizer {
    const vectorizer = new TfidfVectorizer(state.settings);
    vectorizer.state = state;
    return vectorizer;
  }

  get fitted(): TfidfState {
    if (!this.state) throw new Error('the TF-IDF vectorizer is not fitted');
    return this.state;
  }

  fit(documents: readonly string[]): this {
    this.fitTransform(documents);
    return this;
  }

  fitTransform(documents: readonly string[]): CsrMatrix {
    const { analyzer, ngramRange } = this.settings;
    if (analyzer === 'word') return this.fitTransformCorpus(tokenizeTexts(documents));
    return this.fitCounts(countAnalyzedTerms(documents, analyzer, ngramRange));
  }

  /** fitTransform for documents already split into tokens: word n-grams are counted from the token ids. */
  fitTransformCorpus(corpus: TokenCorpus): CsrMatrix {
    if (this.settings.analyzer !== 'word') {
      return this.fitTransform(
        Array.from({ length: corpus.indptr.length - 1 }, (_, document) => documentText(corpus, document)),
      );
    }
    return this.fitCounts(countWordNgrams(corpus, this.settings.ngramRange));
  }

  private fitCounts(termCounts: TermCounts): CsrMatrix {
    const { termCount, termString, termIds, counts } = termCounts;
    const documentCount = termCounts.indptr.length - 1;
    const documentFrequency = new Int32Array(termCount);
    const corpusFrequency = new Float64Array(termCount);
    for (let entry = 0; entry < termIds.length; entry++) {
      const term = termIds[entry] as number;
      documentFrequency[term] = (documentFrequency[term] as number) + 1;
      corpusFrequency[term] = (corpusFrequency[term] as number) + (counts[entry] as number);
    }

    const maxDocuments = this.settings.maxDf * documentCount;
    if (maxDocuments < this.settings.minDf) {
      throw new Error(
        `max_df ${this.settings.maxDf} of ${documentCount} documents allows fewer documents than min_df ${this.settings.minDf}`,
      );
    }
    let kept: number[] = [];
    for (let term = 0; term < termCount; term++) {
      const df = documentFrequency[term] as number;
      if (df >= this.settings.minDf && df <= maxDocuments) kept.push(term);
    }
    const { maxFeatures } = this.settings;
    if (maxFeatures !== null && kept.length > maxFeatures) {
      kept = mostFrequentTerms(kept, maxFeatures, corpusFrequency, termString);
    }
    if (kept.length === 0) {
      throw new Error('no terms remain after min_df / max_df pruning: lower min_df or raise max_df');
    }
    const keptTerms = kept.map((term) => ({ term, text: termString(term) }));
    keptTerms.sort((a, b) => compareStrings(a.text, b.text));
    kept = keptTerms.map(({ term }) => term);

    const column = new Int32Array(termCount).fill(-1);
    const vocabulary = keptTerms.map(({ term, text }, index) => {
      column[term] = index;
      return text;
    });
    const idf = new Float64Array(kept.length);
    const smoothing = this.settings.smoothIdf ? 1 : 0;
    kept.forEach((term, index) => {
      idf[index] =
        Math.log((documentCount + smoothing) / ((documentFrequency[term] as number) + smoothing)) + 1;
    });
    this.state = { settings: this.settings, vocabulary, idf };
    this.knownTerms = null;
    return this.weigh(termCounts, column);
  }

  transform(documents: readonly string[]): CsrMatrix {
    const indptr = new Int32Array(documents.length + 1);
    const indices: number[] = [];
    const values: number[] = [];
    documents.forEach((document, row) => {
      const entries = this.transformRow(document);
      for (let entry = 0; entry < entries.indices.length; entry++) {
        indices.push(entries.indices[entry] as number);
        values.push(entries.values[entry] as number);
      }
      indptr[row + 1] = indices.length;
    });
    return {
      rows: documents.length,
      columns: this.fitted.vocabulary.length,
      indptr,
      indices: Int32Array.from(indices),
      values: Float64Array.from(values),
    };
  }

  /**
   * One document's row, the same as `transform([document])`'s, in memory the next call reuses:
   * what a server predicting one request at a time needs, without allocating typed arrays.
   */
  transformRow(document: string): SparseRow {
    return this.weighRow(this.knownTermCounter().count(document));
  }

  /** The ids of `tokens` among the vocabulary's words (-1 for the others); word analyzer only. */
  tokenIds(tokens: readonly string[]): Int32Array {
    return this.knownTermCounter().tokenIds(tokens);
  }

  /** transformRow for a document given by its tokens' ids (`tokenIds`); word analyzer only. With `noteFirst`, for `firstWordNgrams`. */
  transformTokenIdsRow(ids: Int32Array, noteFirst = false): SparseRow {
    return this.weighRow(this.knownTermCounter().countTokenIds(ids, noteFirst));
  }

  /** Where each of `columns` first occurs in the document transformed last, by transformTokenIdsRow noting them (KnownTermCounter.firstWordNgrams). */
  firstWordNgrams(columns: ArrayLike<number>, first: Int32Array, last: Int32Array): void {
    this.knownTermCounter().firstWordNgrams(columns, first, last);
  }

  private knownTermCounter(): KnownTermCounter {
    this.knownTerms ??= new KnownTermCounter(
      this.settings.analyzer,
      this.settings.ngramRange,
      this.fitted.vocabulary,
    );
    return this.knownTerms;
  }

  /** One document's counts as its TF-IDF row, in the memory transformRow reuses. */
  private weighRow({ columns, countOf }: DocumentTermCounts): SparseRow {
    const { idf, vocabulary } = this.fitted;
    if (this.rowIndices.length < columns.length) {
      this.rowIndices = new Int32Array(columns.length * 2);
      this.rowValues = new Float64Array(columns.length * 2);
    }
    const weightOf = this.rowWeightsByColumn(vocabulary.length);
    for (let entry = 0; entry < columns.length; entry++) {
      const column = columns[entry] as number;
      weightOf[column] = this.termFrequency(countOf[column] as number) * (idf[column] as number);
    }
    this.rowIndices.set(columns);
    normaliseRow(this.rowIndices, 0, columns.length, weightOf, this.rowValues);
    return {
      indices: this.rowIndices.subarray(0, columns.length),
      values: this.rowValues.subarray(0, columns.length),
    };
  }

  private termFrequency(count: number): number {
    return this.settings.sublinearTf ? Math.log(count) + 1 : count;
  }

  /**
   * A row's weights by column, so its columns can be sorted on their own; reused from row to row
   * and call to call, as an entry is always written before it is read.
   */
  private rowWeightsByColumn(columns: number): Float64Array {
    if (this.rowWeights?.length !== columns) this.rowWeights = new Float64Array(columns);
    return this.rowWeights;
  }

  /** Maps term ids to columns (-1 drops the term), applies tf and idf weights and l2-normalises each row. */
  private weigh(termCounts: TermCounts, column: Int32Array): CsrMatrix {
    const { idf, vocabulary } = this.fitted;
    const rows = termCounts.indptr.length - 1;
    const indptr = new Int32Array(rows + 1);
    let kept = 0;
    for (const termId of termCounts.termIds) if ((column[termId] as number) >= 0) kept++;
    const indices = new Int32Array(kept);
    const values = new Float64Array(kept);
    const weightOf = this.rowWeightsByColumn(vocabulary.length);
    let offset = 0;
    for (let row = 0; row < rows; row++) {
      const rowStart = offset;
      for (
        let entry = termCounts.indptr[row] as number;
        entry < (termCounts.indptr[row + 1] as number);
        entry++
      ) {
        const index = column[termCounts.termIds[entry] as number] as number;
        if (index < 0) continue;
        weightOf[index] = this.termFrequency(termCounts.counts[entry] as number) * (idf[index] as number);
        indices[offset++] = index;
      }
      normaliseRow(indices, rowStart, offset, weightOf, values);
      indptr[row + 1] = offset;
    }
    return { rows, columns: vocabulary.length, indptr, indices, values };
  }
}
