import { setTimeout as sleep } from 'node:timers/promises';
import { syntheticProducts } from '../../model-server/support/bundle.js';

/**
 * Steady prediction traffic against a model server's address, as a client would send it: one
 * product per request, with its productid (so a canary split sticks per product). Counts the
 * requests that failed (no answer, or not 200) and which version answered.
 */
export class PredictionTraffic {
  readonly answeredBy = new Map<string, number>();
  failed = 0;
  readonly failures: string[] = [];
  #running = true;
  readonly #loops: Promise<void>[];

  constructor(
    readonly url: () => Promise<string>,
    concurrency = 2,
  ) {
    const products = syntheticProducts(500, 99);
    this.#loops = Array.from({ length: concurrency }, (_, loop) => this.#run(products, loop));
  }

  get answered(): number {
    return [...this.answeredBy.values()].reduce((sum, count) => sum + count, 0);
  }

  async #run(products: ReturnType<typeof syntheticProducts>, loop: number): Promise<void> {
    for (let index = loop; this.#running; index += 2) {
      const product = products[index % products.length] as (typeof products)[number];
      try {
        const response = await fetch(`${await this.url()}/predict`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            productid: product.productid,
            designation: product.designation,
            description: product.description,
          }),
        });
        const body = (await response.json()) as { model?: { version: string } };
        if (response.status !== 200 || !body.model)
          throw new Error(`${response.status} ${JSON.stringify(body)}`);
        this.answeredBy.set(body.model.version, (this.answeredBy.get(body.model.version) ?? 0) + 1);
      } catch (error) {
        this.failed++;
        if (this.failures.length < 5) this.failures.push((error as Error).message);
      }
      // A steady trickle (about 40 requests a second per loop) is enough for steps of seconds.
      await sleep(25);
    }
  }

  async stop(): Promise<void> {
    this.#running = false;
    await Promise.all(this.#loops);
  }
}
