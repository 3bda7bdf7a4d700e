import { backoffDelay } from './backoff.js';

/**
 * controller-runtime's work-queue semantics: a key is queued at most once, is never handed to two
 * workers at the same time (added again while in flight, it is queued once the worker is done),
 * and can be re-added after a delay or with per-key exponential backoff.
 */
export class WorkQueue {
  readonly #queue: string[] = [];
  readonly #queued = new Set<string>();
  readonly #processing = new Set<string>();
  readonly #dirty = new Set<string>();
  readonly #delayed = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  readonly #failures = new Map<string, number>();
  #waiters: ((key: string | undefined) => void)[] = [];
  #shutDown = false;

  constructor(
    private readonly backoff = { baseMs: 100, maxMs: 300_000 },
    private readonly onDepthChange: (depth: number) => void = () => {},
  ) {}

  get depth(): number {
    return this.#queue.length;
  }

  add(key: string): void {
    if (this.#shutDown) return;
    if (this.#processing.has(key)) {
      this.#dirty.add(key);
      return;
    }
    if (this.#queued.has(key)) return;
    const waiter = this.#waiters.shift();
    if (waiter) {
      this.#processing.add(key);
      waiter(key);
      return;
    }
    this.#queued.add(key);
    this.#queue.push(key);
    this.onDepthChange(this.#queue.length);
  }

  /** Adds the key after `ms`, unless an earlier add for it is already scheduled. */
  addAfter(key: string, ms: number): void {
    if (this.#shutDown) return;
    if (ms <= 0) {
      this.add(key);
      return;
    }
    const at = Date.now() + ms;
    const scheduled = this.#delayed.get(key);
    if (scheduled && scheduled.at <= at) return;
    if (scheduled) clearTimeout(scheduled.timer);
    const timer = setTimeout(() => {
      this.#delayed.delete(key);
      this.add(key);
    }, ms);
    timer.unref();
    this.#delayed.set(key, { at, timer });
  }

  /** Adds the key after a delay that doubles with every failure since the last `forget`. */
  addRateLimited(key: string): void {
    const failures = this.#failures.get(key) ?? 0;
    this.#failures.set(key, failures + 1);
    this.addAfter(key, backoffDelay(failures, this.backoff.baseMs, this.backoff.maxMs));
  }

  forget(key: string): void {
    this.#failures.delete(key);
  }

  /** The next key to process, or undefined once the queue is shut down. */
  get(): Promise<string | undefined> {
    const key = this.#queue.shift();
    if (key !== undefined) {
      this.#queued.delete(key);
      this.#processing.add(key);
      this.onDepthChange(this.#queue.length);
      return Promise.resolve(key);
    }
    if (this.#shutDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  done(key: string): void {
    this.#processing.delete(key);
    if (this.#dirty.delete(key)) this.add(key);
  }

  shutDown(): void {
    this.#shutDown = true;
    for (const { timer } of this.#delayed.values()) clearTimeout(timer);
    this.#delayed.clear();
    for (const waiter of this.#waiters) waiter(undefined);
    this.#waiters = [];
  }
}
