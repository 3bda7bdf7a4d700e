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
import {
  type ClassProbability,
  type FitOptions,
  type FitReport,
  LogisticRegression,
  type LogisticRegressionSettings,
  type LogisticRegressionState,
  topClasses,
} from './logistic-regression.js';

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
    return this.model.predictProba(this.transform(products));
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
    this.rowProbabilities ??= new Float64Array(this.classes.length);
    const probabilities = this.rowProbabilities;
    const settings = this.state.settings;
    if (settings.tfidf.analyzer === 'word') {
      this.productTokenIds ??= new ProductTokenIds((words) => this.vectorizer.tokenIds(words), settings.text);
    }
    const tokenIds = this.productTokenIds;
    return products.map((product, index) => {
      let row: SparseRow;
      if (tokenIds) {
        const ids = tokenIds.of(product);
        if (tokenCounts) tokenCounts[index] = countTokens(ids);
        row = this.vectorizer.transformTokenIdsRow(ids);
      } else {
        row = this.vectorizer.transformRow(productText(product, settings.text));
      }
      return topClasses(this.model.predictRowProba(row, probabilities), this.classes, k);
    });
  }
}
