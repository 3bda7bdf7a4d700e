import type { ClassProbability } from '@prodclass/textmodel/model/logistic-regression';
import type { ExplainedRanking, TokenCount } from '@prodclass/textmodel/model/text-classifier';
import type { ProductText } from '@prodclass/textmodel/text/product-text';

/**
 * What the server needs of a model: the k most probable classes of each product. The text
 * model's TextClassifier is one, so serving runs the very cleaning and prediction code of training.
 */
export interface Classifier {
  /** With `tokenCounts`, also each product's word tokens and unknown ones, where the model counts them. */
  predictTopK(products: readonly ProductText[], k: number, tokenCounts?: TokenCount[]): ClassProbability[][];
  /** predictTopK with the first two classes taken apart into the contributions of `terms` terms each way. */
  explainTopK(
    products: readonly ProductText[],
    k: number,
    terms: number,
    tokenCounts?: TokenCount[],
  ): ExplainedRanking[];
}

/** Builds a classifier from the bytes of a model bundle file; throws when they are not one. */
export type ClassifierLoader = (bundle: Buffer) => Classifier;
