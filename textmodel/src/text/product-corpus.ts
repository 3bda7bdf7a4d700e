import { once } from 'node:events';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { type TokenCorpus, TokenCorpusBuilder } from '../features/token-corpus.js';
import { type ProductText, productWords, type TextSettings } from './product-text.js';

/** Below this many products a second thread costs more than it saves. */
const parallelMinimumProducts = 20_000;

const workerSource = `
const { workerData, parentPort } = require('node:worker_threads');
import(workerData.moduleUrl).then(({ buildProductCorpus }) => {
  const corpus = buildProductCorpus(workerData.products, workerData.settings);
  parentPort.postMessage(corpus, [corpus.indptr.buffer, corpus.ids.buffer]);
});
`;

/** The cleaned words of each product, as a token corpus, on this thread. */
export function buildProductCorpus(products: readonly ProductText[], settings: TextSettings): TokenCorpus {
  const builder = new TokenCorpusBuilder();
  for (const product of products) builder.addDocument(productWords(product, settings));
  return builder.build();
}

/**
 * buildProductCorpus for many products, the second half cleaned on a worker thread while this
 * thread cleans the first; the worker's corpus is renumbered into this one's dictionary. Cleaning
 * is pure, so the corpus is the same either way; when the worker cannot load the cleaner (tests
 * run the TypeScript sources, which plain workers cannot import), this thread cleans everything.
 */
export async function productCorpus(
  products: readonly ProductText[],
  settings: TextSettings,
): Promise<TokenCorpus> {
  if (products.length < parallelMinimumProducts || availableParallelism() < 2) {
    return buildProductCorpus(products, settings);
  }
  const half = Math.ceil(products.length / 2);
  const secondHalf = products.slice(half);
  const worker = new Worker(workerSource, {
    eval: true,
    workerData: { moduleUrl: import.meta.url, products: secondHalf, settings },
  });
  const reply = once(worker, 'message').catch(() => null);
  const builder = new TokenCorpusBuilder();
  for (const product of products.slice(0, half)) builder.addDocument(productWords(product, settings));
  const [cleaned] = ((await reply) as [TokenCorpus] | null) ?? [buildProductCorpus(secondHalf, settings)];
  await worker.terminate();
  builder.addCorpus(cleaned);
  return builder.build();
}
