import type { MlflowParam } from '@prodclass/registry/mlflow/client';
import type { TextClassifierSettings } from '@prodclass/textmodel/model/text-classifier';

/** Every training setting as MLflow params, named as scikit-learn users know them. */
export function trainingParams(settings: TextClassifierSettings): MlflowParam[] {
  const { text, tfidf, logisticRegression, seed } = settings;
  const params: Record<string, string | number | boolean> = {
    model: 'tfidf+multinomial_logistic_regression',
    designation_repeats: text.designationRepeats,
    analyzer: tfidf.analyzer,
    ngram_min: tfidf.ngramRange[0],
    ngram_max: tfidf.ngramRange[1],
    max_features: tfidf.maxFeatures ?? 'none',
    min_df: tfidf.minDf,
    max_df: tfidf.maxDf,
    sublinear_tf: tfidf.sublinearTf,
    smooth_idf: tfidf.smoothIdf,
    norm: 'l2',
    solver: 'lbfgs',
    penalty: 'l2',
    C: logisticRegression.C,
    max_iter: logisticRegression.maxIter,
    tol: logisticRegression.tol,
    class_weight: logisticRegression.classWeight,
    seed,
  };
  return Object.entries(params).map(([key, value]) => ({ key, value: String(value) }));
}
