import type { Confusion, MislabeledText } from '@prodclass/catalog/quality/live-quality-details';
import type { MlflowClient } from '@prodclass/registry/mlflow/client';
import { modelDirectory } from '@prodclass/registry/model-directory';
import { decodeModelBundle } from '@prodclass/textmodel/bundle/model-bundle';
import type { TextClassifier } from '@prodclass/textmodel/model/text-classifier';

/** How many of a confusion's newest mislabeled predictions are explained (rows read per confusion). */
export const explainedPerConfusion = 50;
/** How many of the most frequent confusions get their terms. */
export const explainedConfusions = 5;
/** Terms shown per confusion. */
const shownTerms = 8;

export interface ErrorTerm {
  /** The term as the model knows it (cleaned words). */
  feature: string;
  /** Sum over the explained texts of its contribution to the wrong class's logit. */
  contribution: number;
  /** Explained texts it pushed the wrong class in. */
  texts: number;
}

export interface ConfusionTerms extends Confusion {
  /** Texts read from the log and explained (at most explainedPerConfusion). */
  explained: number;
  terms: ErrorTerm[];
}

/**
 * The decoded bundle of the version last asked for: the Quality page explains with the very model
 * that served the predictions (the server's exact explanation, textmodel's TextClassifier).
 */
export class ServedBundles {
  #cached: { key: string; classifier: Promise<TextClassifier> } | undefined;

  constructor(private readonly mlflow: MlflowClient) {}

  classifier(modelName: string, modelVersion: string): Promise<TextClassifier> {
    const key = `${modelName}/${modelVersion}`;
    if (this.#cached?.key !== key) {
      const classifier = this.mlflow.modelVersion(modelName, modelVersion).then(async (version) => {
        const bytes = await this.mlflow.downloadArtifact(
          `${version.source.replace(/\/+$/, '')}/${modelDirectory.bundle}`,
        );
        return decodeModelBundle(bytes, `${key} bundle`).classifier;
      });
      this.#cached = { key, classifier };
      // A failed load is not kept: the next page view tries again.
      classifier.catch(() => {
        if (this.#cached?.key === key) this.#cached = undefined;
      });
    }
    return this.#cached.classifier;
  }
}

/**
 * For each confusion (predicted → true), the terms that pushed its texts towards the wrong class
 * most: each text's exact explanation of the predicted class (weight × TF-IDF per term), the
 * positive contributions summed per term over the texts. A text the bundle no longer predicts as
 * the logged class (its logged copy is truncated) is skipped and not counted.
 */
export function termsBehindErrors(
  classifier: TextClassifier,
  confusions: readonly Confusion[],
  texts: readonly MislabeledText[],
): ConfusionTerms[] {
  return confusions.map((confusion) => {
    const sample = texts.filter(
      (text) => text.predictedCode === confusion.predictedCode && text.prdtypecode === confusion.prdtypecode,
    );
    const totals = new Map<string, ErrorTerm>();
    let explained = 0;
    const rankings = classifier.explainTopK(sample, 2, shownTerms * 2);
    for (const ranking of rankings) {
      const wrong = ranking.explanations[0];
      if (!wrong || wrong.classCode !== confusion.predictedCode) continue;
      explained++;
      for (const term of wrong.up) {
        const total = totals.get(term.feature) ?? { feature: term.feature, contribution: 0, texts: 0 };
        total.contribution += term.contribution;
        total.texts++;
        totals.set(term.feature, total);
      }
    }
    const terms = [...totals.values()]
      .sort((a, b) => b.contribution - a.contribution || a.feature.localeCompare(b.feature))
      .slice(0, shownTerms);
    return { ...confusion, explained, terms };
  });
}
