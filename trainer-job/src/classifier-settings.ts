import type { HyperparameterOptions } from '@prodclass/registry/contract/train-command';
import { defaultTfidfSettings } from '@prodclass/textmodel/features/tfidf-vectorizer';
import { defaultLogisticRegressionSettings } from '@prodclass/textmodel/model/logistic-regression';
import type { TextClassifierSettings } from '@prodclass/textmodel/model/text-classifier';
import { defaultTextSettings } from '@prodclass/textmodel/text/product-text';

/** The text model's settings from the hyperparameter flags of `model fit` and `train`. */
export function classifierSettings(flags: HyperparameterOptions): TextClassifierSettings {
  return {
    text: { ...defaultTextSettings, designationRepeats: flags.designationRepeats },
    tfidf: {
      ...defaultTfidfSettings,
      analyzer: flags.analyzer,
      ngramRange: [flags.analyzer === 'word' ? 1 : 2, flags.ngramMax],
      maxFeatures: flags.maxFeatures,
      minDf: flags.minDf,
      maxDf: flags.maxDf,
      sublinearTf: flags.sublinearTf,
    },
    logisticRegression: {
      ...defaultLogisticRegressionSettings,
      C: flags.C,
      maxIter: flags.maxIter,
      tol: flags.tol,
      classWeight: flags.classWeight,
    },
    seed: flags.seed,
  };
}
