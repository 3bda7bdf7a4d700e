import { applyTemperatureInPlace, type Calibration } from '../calibration/temperature-scaling.js';
import type { CsrMatrix, SparseRow } from '../features/sparse-matrix.js';
import { type TfidfSettings, type TfidfState, TfidfVectorizer } from '../features/tfidf-vectorizer.js';
import { productCorpus } from '../text/product-corpus.js';
import {
  type LabelledProduct,
  type ProductText,
  productText,
  type TextSettings,
} from '../text/product-text.js';
import { ProductTokenIds } from '../text/product-token-ids.js';
import { TokenSources } from '../text/token-sources.js';
import { reserve } from '../text/word-table.js';
import { type ClassExplanation, ContributionRanker, type ExplainedTerm } from './explanation.js';
import {
  type ClassProbability,
  type FitOptions,
  type FitReport,
  LogisticRegression,
  type LogisticRegressionSettings,
  type LogisticRegressionState,
  topClasses,
} from './logistic-regression.js';

export type { ClassExplanation, ExplainedTerm } from './explanation.js';

export interface TextClassifierSettings {
  text: TextSettings;
  tfidf: TfidfSettings;
  logisticRegression: LogisticRegressionSettings;
  /** Recorded with the model so a run can be reproduced; the fit itself draws no random numbers. */
  seed: number;
}

export interface TextClassifierState {
  settings: TextClassifierSettings;
  tfidf: TfidfState;
  logisticRegression: LogisticRegressionState;
  /** Applied to every probability the classifier returns; none (temperature 1) when absent. */
  calibration?: Calibration;
}

export interface TextClassifierFitReport extends FitReport {
  rows: number;
  features: number;
  /** Wall time of each step: cleaning the text, TF-IDF, and the logistic regression's optimisation. */
  seconds: { clean: number; vectorize: number; optimize: number };
}

/** Of a product's word tokens as the model sees them (designation repeats included), how many the vocabulary lacks. */
export interface TokenCount {
  tokens: number;
  unknown: number;
}

/** predictTopK's ranking of one product, with the explanation of its first two classes. */
export interface ExplainedRanking {
  ranked: ClassProbability[];
  /** The predicted class and the runner-up (one class when the model has one). */
  explanations: ClassExplanation[];
}

/** ProductTokenIds marks a word outside the vocabulary with -1. */
function countTokens(ids: Int32Array): TokenCount {
  let unknown = 0;
  for (let index = 0; index < ids.length; index++) if ((ids[index] as number) < 0) unknown++;
  return { tokens: ids.length, unknown };
}

/** The whole text model: cleaning, TF-IDF and multinomial logistic regression, fitted together. */
export class TextClassifier {
  private rowProbabilities: Float64Array | null = null;
  /** predictTopK's way from listings to token ids, for the word analyzer. */
  private productTokenIds: ProductTokenIds | null = null;
  /** explainTopK's working memory. */
  private readonly tokenSources = new TokenSources();
  private readonly contributionRanker = new ContributionRanker();
  private firstTokens = new Int32Array(64);
  private lastTokens = new Int32Array(64);

  private constructor(
    readonly state: TextClassifierState,
    private readonly vectorizer: TfidfVectorizer,
    private readonly model: LogisticRegression,
  ) {}

  static fromState(state: TextClassifierState): TextClassifier {
    return new TextClassifier(
      state,
      TfidfVectorizer.fromState(state.tfidf),
      LogisticRegression.fromState(state.logisticRegression),
    );
  }

  static async fit(
    products: readonly LabelledProduct[],
    settings: TextClassifierSettings,
    options: FitOptions = {},
  ): Promise<{ classifier: TextClassifier; report: TextClassifierFitReport }> {
    if (products.length === 0) throw new Error('no training products');
    const started = performance.now();
    const corpus = await productCorpus(products, settings.text);
    const cleaned = performance.now();
    const vectorizer = new TfidfVectorizer(settings.tfidf);
    const matrix = vectorizer.fitTransformCorpus(corpus);
    const vectorized = performance.now();
    const model = new LogisticRegression(settings.logisticRegression);
    const fitReport = await model.fit(
      matrix,
      products.map((product) => product.prdtypecode),
      options,
    );
    const state = { settings, tfidf: vectorizer.fitted, logisticRegression: model.fitted };
    return {
      classifier: new TextClassifier(state, vectorizer, model),
      report: {
        ...fitReport,
        rows: products.length,
        features: matrix.columns,
        seconds: {
          clean: (cleaned - started) / 1000,
          vectorize: (vectorized - cleaned) / 1000,
          optimize: (performance.now() - vectorized) / 1000,
        },
      },
    };
  }

  /** The same model, its probabilities calibrated (the predicted classes do not change). */
  withCalibration(calibration: Calibration): TextClassifier {
    return TextClassifier.fromState({ ...this.state, calibration });
  }

  get classes(): number[] {
    return this.state.logisticRegression.classes;
  }

  transform(products: readonly ProductText[]): CsrMatrix {
    return this.vectorizer.transform(
      products.map((product) => productText(product, this.state.settings.text)),
    );
  }

  /** Row-major class probabilities, classes in `this.classes` order. */
  predictProba(products: readonly ProductText[]): Float64Array {
    const probabilities = this.model.predictProba(this.transform(products));
    const classCount = this.classes.length;
    for (let offset = 0; offset < probabilities.length; offset += classCount)
      this.calibrate(probabilities, offset);
    return probabilities;
  }

  predict(products: readonly ProductText[]): number[] {
    return this.model.predict(this.transform(products));
  }

  /**
   * The k most probable classes of each product, most probable first. One product at a time, in
   * reused memory: a server answering request after request allocates no typed arrays here.
   * With `tokenCounts`, each product's word tokens and those not in the vocabulary are written
   * to it at the product's index (word analyzer only: the others leave it empty).
   */
  predictTopK(products: readonly ProductText[], k: number, tokenCounts?: TokenCount[]): ClassProbability[][] {
    const probabilities = this.probabilitiesOfRow();
    return products.map((product, index) => {
      const row = this.rowOf(product, tokenCounts, index);
      return topClasses(this.calibrate(this.model.predictRowProba(row, probabilities)), this.classes, k);
    });
  }

  /**
   * predictTopK, with each product's predicted class and runner-up taken apart into the
   * intercept and the contributions (coefficient × TF-IDF value) of the product's terms:
   * the `terms` largest each way by name, the rest as one sum.
   */
  explainTopK(
    products: readonly ProductText[],
    k: number,
    terms: number,
    tokenCounts?: TokenCount[],
  ): ExplainedRanking[] {
    const probabilities = this.probabilitiesOfRow();
    const sources = this.tokenSources;
    const ranker = this.contributionRanker;
    const vocabulary = this.state.tfidf.vocabulary;
    return products.map((product, index) => {
      const row = this.rowOf(product, tokenCounts, index, sources);
      const top = topClasses(
        this.calibrate(this.model.predictRowProba(row, probabilities)),
        this.classes,
        Math.max(k, 2),
      );
      ranker.clearListed();
      const classIndices = top.slice(0, 2).map(({ classCode }) => this.classes.indexOf(classCode));
      const explanations = ranker.explain(this.model.fitted, vocabulary, classIndices, row, terms);
      this.nameListedTerms(ranker.listedColumns, ranker.listedTerms);
      return { ranked: top.length > k ? top.slice(0, k) : top, explanations };
    });
  }

  /** Calibrates one row of probabilities in place (from `offset`). */
  private calibrate(probabilities: Float64Array, offset = 0): Float64Array {
    const { calibration } = this.state;
    if (calibration)
      applyTemperatureInPlace(probabilities, offset, this.classes.length, calibration.temperature);
    return probabilities;
  }

  private probabilitiesOfRow(): Float64Array {
    this.rowProbabilities ??= new Float64Array(this.classes.length);
    return this.rowProbabilities;
  }

  /** A product's TF-IDF row, in memory the next call reuses; counts its tokens and notes their sources when asked. */
  private rowOf(
    product: ProductText,
    tokenCounts: TokenCount[] | undefined,
    index: number,
    sources?: TokenSources,
  ): SparseRow {
    const settings = this.state.settings;
    if (settings.tfidf.analyzer !== 'word') {
      return this.vectorizer.transformRow(productText(product, settings.text));
    }
    this.productTokenIds ??= new ProductTokenIds((words) => this.vectorizer.tokenIds(words), settings.text);
    const ids = this.productTokenIds.of(product, sources);
    if (tokenCounts) tokenCounts[index] = countTokens(ids);
    // Explaining (with sources) names terms from where they first occur: counting notes it.
    return this.vectorizer.transformTokenIdsRow(ids, sources !== undefined);
  }

  /**
   * Names the listed terms (`terms[i]` of column `columns[i]`) as the product just read wrote
   * them, from where each first occurs among its tokens; a term not found (or not the word
   * analyzer) keeps its feature.
   */
  private nameListedTerms(columns: readonly number[], terms: readonly ExplainedTerm[]): void {
    if (this.state.settings.tfidf.analyzer !== 'word') return;
    this.firstTokens = reserve(this.firstTokens, columns.length);
    this.lastTokens = reserve(this.lastTokens, columns.length);
    const first = this.firstTokens;
    const last = this.lastTokens;
    // Counting the product just read noted where its terms first occur.
    this.vectorizer.firstWordNgrams(columns, first, last);
    for (let listed = 0; listed < columns.length; listed++) {
      const firstToken = first[listed] as number;
      if (firstToken >= 0) {
        (terms[listed] as ExplainedTerm).term = this.tokenSources.phrase(firstToken, last[listed] as number);
      }
    }
  }
}
