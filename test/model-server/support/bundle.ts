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

export interface TestBundleOptions {
  /** Fit on the products with their codes shuffled among them: a model that has learned nothing. */
  shuffledLabels?: boolean;
}

/** The products with their codes dealt out again in a seeded random order (Fisher–Yates). */
function shuffleLabels<T extends { prdtypecode: number }>(products: T[], seed: number): T[] {
  const codes = products.map((product) => product.prdtypecode);
  let state = seed >>> 0;
  const next = () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 4_294_967_296;
  };
  for (let index = codes.length - 1; index > 0; index--) {
    const other = Math.floor(next() * (index + 1));
    [codes[index], codes[other]] = [codes[other] as number, codes[index] as number];
  }
  return products.map((product, index) => ({ ...product, prdtypecode: codes[index] as number }));
}

/** A model bundle fitted on 2,000 synthetic products of `seed` (different seeds, different weights). */
export async function fitTestBundle(seed: number, options: TestBundleOptions = {}): Promise<Buffer> {
  const products = syntheticProducts(2_000, seed);
  const { classifier, report } = await TextClassifier.fit(
    options.shuffledLabels ? shuffleLabels(products, seed) : products,
    {
      text: defaultTextSettings,
      tfidf: defaultTfidfSettings,
      logisticRegression: { ...defaultLogisticRegressionSettings, maxIter: 100 },
      seed,
    },
  );
  return encodeModelBundle(classifier, {
    rows: report.rows,
    iterations: report.iterations,
    converged: report.converged,
    loss: report.loss,
    source: `synthetic catalog, seed ${seed}${options.shuffledLabels ? ', labels shuffled' : ''}`,
  });
}

/** Fits a bundle and writes it to a fresh temporary file; returns the file's path. */
export async function writeTestBundle(
  name: string,
  seed: number,
  options: TestBundleOptions = {},
): Promise<string> {
  const directory = await fs.mkdtemp(path.join(os.tmpdir(), `prodclass-${name}-`));
  const file = path.join(directory, 'model.bundle');
  await fs.writeFile(file, await fitTestBundle(seed, options));
  return file;
}
