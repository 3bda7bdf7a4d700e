/**
 * The text model's defaults, each written only here: the settings its steps take when nobody
 * chooses others, as scikit-learn's estimators have theirs. Each step's module re-exports its own.
 * The custom resources' and the CLI's defaults (`@prodclass/api/defaults`) are read from these, and
 * `prodclass --help` loads that module, so this one imports nothing but types: it loads alone,
 * without the model.
 */
import type { TfidfSettings } from './features/tfidf-vectorizer.js';
import type { LogisticRegressionSettings } from './model/logistic-regression.js';
import type { TextSettings } from './text/product-text.js';

export const defaultTextSettings = { designationRepeats: 1 } satisfies TextSettings;

export const defaultTfidfSettings = {
  analyzer: 'word',
  ngramRange: [1, 2],
  maxFeatures: 5000,
  minDf: 2,
  maxDf: 0.95,
  sublinearTf: false,
  smoothIdf: true,
} satisfies TfidfSettings;

export const defaultLogisticRegressionSettings = {
  C: 1,
  maxIter: 1000,
  tol: 1e-4,
  classWeight: 'none',
} satisfies LogisticRegressionSettings;
