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
import { type ClassContributions, ContributionRanker, type TermContribution } from './explanation.js';
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

/**
 * A term of an explanation: how the listing wrote it, the vocabulary's term, its TF-IDF value and
 * its contribution. Exactly the fields the model server answers, in its order, so the answer
 * passes the objects on as they are.
 */
export interface ExplainedTerm {
  /** The term as it reads in the listing (case and accents kept, stop words between kept); the feature when it cannot be found. */
  term: string;
  /** The term as the model knows it: cleaned words (or characters, for char_wb), one space apart. */
  feature: string;
  tfidf: number;
  /** The class's coefficient of the term × tfidf, in logit units. */
  contribution: number;
}

export interface ClassExplanation extends Omit<ClassContributions, 'up' | 'down'> {
  up: ExplainedTerm[];
  down: ExplainedTerm[];
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
  private readonly listedColumns: number[] = [];
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
    return products.map((product, index) => {
      const row = this.rowOf(product, tokenCounts, index, sources);
      const top = topClasses(
        this.calibrate(this.model.predictRowProba(row, probabilities)),
        this.classes,
        Math.max(k, 2),
      );
      const contributions = top
        .slice(0, 2)
        .map(({ classCode }) =>
          this.contributionRanker.rank(this.model.fitted, this.classes.indexOf(classCode), row, terms),
        );
      const phrases = this.phrasesOf(contributions);
      const vocabulary = this.state.tfidf.vocabulary;
      // Terms are named in the order phrasesOf listed their columns.
      let listed = 0;
      const named = ({ column, tfidf, contribution }: TermContribution): ExplainedTerm => {
        const first = phrases.first[listed] as number;
        const last = phrases.last[listed] as number;
        listed++;
        const feature = vocabulary[column] as string;
        return { term: first < 0 ? feature : sources.phrase(first, last), feature, tfidf, contribution };
      };
      return {
        ranked: top.slice(0, k),
        explanations: contributions.map(
          ({ classCode, logit, intercept, up, down, otherTerms, otherContribution }) => ({
            classCode,
            logit,
            intercept,
            up: up.map(named),
            down: down.map(named),
            otherTerms,
            otherContribution,
          }),
        ),
      };
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
    return this.vectorizer.transformTokenIdsRow(ids);
  }

  /**
   * Where the listed terms of the explanations (up, then down, class after class) first occur
   * among the tokens of the product just read: first and last token, -1 when not found or not
   * the word analyzer. Valid until the next call.
   */
  private phrasesOf(contributions: ClassContributions[]): { first: Int32Array; last: Int32Array } {
    const columns = this.listedColumns;
    columns.length = 0;
    for (const { up, down } of contributions) {
      for (const term of up) columns.push(term.column);
      for (const term of down) columns.push(term.column);
    }
    this.firstTokens = reserve(this.firstTokens, columns.length);
    this.lastTokens = reserve(this.lastTokens, columns.length);
    const first = this.firstTokens.subarray(0, columns.length);
    const last = this.lastTokens.subarray(0, columns.length);
    if (this.state.settings.tfidf.analyzer !== 'word' || !this.productTokenIds) {
      first.fill(-1);
      last.fill(-1);
    } else {
      // The ids of the product just read are still in ProductTokenIds' memory.
      this.vectorizer.firstWordNgrams(this.productTokenIds.lastIds(), columns, first, last);
    }
    return { first, last };
  }
}
