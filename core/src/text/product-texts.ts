import { once } from 'node:events';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { type ProductText, productText, type TextSettings } from './product-text.js';

/** Below this many products a second thread costs more than it saves. */
const parallelMinimumProducts = 20_000;

const workerSource = `
const { workerData, parentPort } = require('node:worker_threads');
import(workerData.moduleUrl).then(({ productText }) => {
  parentPort.postMessage(workerData.products.map((product) => productText(product, workerData.settings)));
});
`;

/**
 * productText for many products, the second half on a worker thread while this thread cleans
 * the first. Cleaning is pure, so the result is the same either way; when the worker cannot load
 * the cleaner (tests run the TypeScript sources, which plain workers cannot import), this thread
 * cleans everything.
 */
export async function productTexts(
  products: readonly ProductText[],
  settings: TextSettings,
): Promise<string[]> {
  const clean = (product: ProductText) => productText(product, settings);
  if (products.length < parallelMinimumProducts || availableParallelism() < 2) return products.map(clean);
  const half = Math.ceil(products.length / 2);
  const secondHalf = products.slice(half);
  const worker = new Worker(workerSource, {
    eval: true,
    workerData: {
      moduleUrl: new URL('./product-text.js', import.meta.url).href,
      products: secondHalf,
      settings,
    },
  });
  const reply = once(worker, 'message').catch(() => null);
  const texts = products.slice(0, half).map(clean);
  const [cleaned] = ((await reply) as [string[]] | null) ?? [secondHalf.map(clean)];
  await worker.terminate();
  return texts.concat(cleaned);
}
