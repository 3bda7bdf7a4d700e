import type { ClassFlip } from '@prodclass/registry/contract/job-result';

export interface FlipSummary {
  products: number;
  changed: number;
  /** changed / products (0 for no products). */
  changedShare: number;
  /** The largest flips, most products first (ties by from, then to class code), at most `limit`. */
  flips: ClassFlip[];
}

/** Counts, over batches of products, where two models' predicted classes differ and how. */
export class FlipTally {
  #products = 0;
  #changed = 0;
  readonly #counts = new Map<string, ClassFlip>();

  /** One batch: `from[i]` and `to[i]` are the two models' classes of the same product. */
  add(from: readonly number[], to: readonly number[]): void {
    if (from.length !== to.length) throw new Error(`${from.length} predictions against ${to.length}`);
    this.#products += from.length;
    for (let i = 0; i < from.length; i++) {
      const a = from[i] as number;
      const b = to[i] as number;
      if (a === b) continue;
      this.#changed++;
      const key = `${a}>${b}`;
      const flip = this.#counts.get(key);
      if (flip) flip.count++;
      else this.#counts.set(key, { from: a, to: b, count: 1 });
    }
  }

  get products(): number {
    return this.#products;
  }

  summary(limit: number): FlipSummary {
    const flips = [...this.#counts.values()]
      .sort((x, y) => y.count - x.count || x.from - y.from || x.to - y.to)
      .slice(0, limit)
      .map((flip) => ({ ...flip }));
    return {
      products: this.#products,
      changed: this.#changed,
      changedShare: this.#products === 0 ? 0 : this.#changed / this.#products,
      flips,
    };
  }
}
