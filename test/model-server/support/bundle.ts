import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { generateSyntheticCatalog } from '@prodclass/catalog/synthetic/generator';
import { encodeModelBundle } from '@prodclass/textmodel/bundle/model-bundle';
import { defaultTfidfSettings } from '@prodclass/textmodel/features/tfidf-vectorizer';
import { defaultLogisticRegressionSettings } from '@prodclass/textmodel/model/logistic-regression';
import { TextClassifier } from '@prodclass/textmodel/model/text-classifier';
import { defaultTextSettings } from '@prodclass/textmodel/text/product-text';

/** The products of a small synthetic catalog; different seeds give different catalogs. */
export function syntheticProducts(rows: number, seed: number) {
  return [...generateSyntheticCatalog({ rows, seed })];
}

/** A model bundle fitted on 2,000 synthetic products of `seed` (different seeds, different weights). */
export async function fitTestBundle(seed: number): Promise<Buffer> {
  const { classifier, report } = await TextClassifier.fit(syntheticProducts(2_000, seed), {
    text: defaultTextSettings,
    tfidf: defaultTfidfSettings,
    logisticRegression: { ...defaultLogisticRegressionSettings, maxIter: 100 },
    seed,
  });
  return encodeModelBundle(classifier, {
    rows: report.rows,
    iterations: report.iterations,
    converged: report.converged,
    loss: report.loss,
    source: `synthetic catalog, seed ${seed}`,
  });
}

/** Fits a bundle and writes it to a fresh temporary file; returns the file's path. */
export async function writeTestBundle(name: string, seed: number): Promise<string> {
  const directory = await fs.mkdtemp(path.join(os.tmpdir(), `prodclass-${name}-`));
  const file = path.join(directory, 'model.bundle');
  await fs.writeFile(file, await fitTestBundle(seed));
  return file;
}
