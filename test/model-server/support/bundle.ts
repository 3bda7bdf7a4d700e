import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { generateSyntheticCatalog } from '@prodclass/catalog/synthetic/generator';
import { encodeModelBundle } from '@prodclass/textmodel/bundle/model-bundle';
import { defaultTfidfSettings } from '@prodclass/textmodel/features/tfidf-vectorizer';
import { defaultLogisticRegressionSettings } from '@prodclass/textmodel/model/logistic-regression';
import { TextClassifier } from '@prodclass/textmodel/model/text-classifier';
import { shuffleInPlace } from '@prodclass/textmodel/sampling/permutation';
import { SeededRandom } from '@prodclass/textmodel/sampling/random';
import { defaultTextSettings } from '@prodclass/textmodel/text/product-text';

/** The products of a small synthetic catalog; different seeds give different catalogs. */
export function syntheticProducts(rows: number, seed: number) {
  return [...generateSyntheticCatalog({ rows, seed })];
}

/** A model bundle fitted on 2,000 synthetic products of `seed` (different seeds, different weights). */
export function fitTestBundle(seed: number): Promise<Buffer> {
  return fitBundle(syntheticProducts(2_000, seed), seed, `synthetic catalog, seed ${seed}`);
}

/**
 * A bad model: fitted on 2,000 synthetic products of `seed` whose labels are shuffled among them
 * (the class shares stay, the text says nothing of the label), so it mostly disagrees with a good one.
 */
export function fitShuffledLabelBundle(seed: number): Promise<Buffer> {
  const products = syntheticProducts(2_000, seed);
  const labels = shuffleInPlace(
    products.map((product) => product.prdtypecode),
    new SeededRandom(seed),
  );
  return fitBundle(
    products.map((product, index) => ({ ...product, prdtypecode: labels[index] as number })),
    seed,
    `synthetic catalog, seed ${seed}, labels shuffled`,
  );
}

async function fitBundle(
  products: ReturnType<typeof syntheticProducts>,
  seed: number,
  source: string,
): Promise<Buffer> {
  const { classifier, report } = await TextClassifier.fit(products, {
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
    source,
  });
}

/** Fits a bundle and writes it to a fresh temporary file; returns the file's path. */
export async function writeTestBundle(name: string, seed: number): Promise<string> {
  const directory = await fs.mkdtemp(path.join(os.tmpdir(), `prodclass-${name}-`));
  const file = path.join(directory, 'model.bundle');
  await fs.writeFile(file, await fitTestBundle(seed));
  return file;
}
