import type { KubeApi } from './api.js';
import { backoffDelay, sleep } from './backoff.js';
import type { Logger } from './log.js';
import { type KubeObject, keyOf, type ResourceType } from './objects.js';

export type InformerEvent = 'added' | 'modified' | 'deleted' | 'resync';

export interface InformerOptions {
  /** Watch one namespace only; all namespaces without it. */
  namespace?: string;
  labelSelector?: string;
  /** How often every cached object is handed to the handlers again, as a safety net. */
  resyncMs: number;
  /** The API server ends each watch after this long; a new one resumes from the last version. */
  watchTimeoutSeconds: number;
  /** A watch that delivers nothing at all (not even a bookmark) for this long is abandoned. */
  stallMs: number;
  onRestart?: () => void;
}

interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: KubeObject & { code?: number; message?: string };
}

class WatchExpired extends Error {}

/**
 * A list+watch cache of one resource over all namespaces. It survives what the client library's
 * informer does not: any watch error restarts it with backoff and a fresh list, a `410 Gone`
 * relists at once, a watch that goes silent is abandoned by a watchdog, and a periodic resync
 * hands every object to the handlers again (reconcilers are level-based, so that is harmless).
 */
export class Informer<T extends KubeObject> {
  readonly #objects = new Map<string, T>();
  readonly #handlers: ((event: InformerEvent, object: T) => void)[] = [];
  readonly #stop = new AbortController();
  #resourceVersion = '';
  #synced = false;
  #lastActivity = Date.now();
  #loop: Promise<void> | undefined;
  #resyncTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly type: ResourceType,
    private readonly api: KubeApi,
    private readonly options: InformerOptions,
    private readonly log: Logger,
  ) {}

  on(handler: (event: InformerEvent, object: T) => void): void {
    this.#handlers.push(handler);
  }

  get(namespace: string, name: string): T | undefined {
    return this.#objects.get(`${namespace}/${name}`);
  }

  list(): T[] {
    return [...this.#objects.values()];
  }

  get synced(): boolean {
    return this.#synced;
  }

  /** True while the watch is delivering or within its allowed silence. */
  get healthy(): boolean {
    return this.#synced && Date.now() - this.#lastActivity < this.options.stallMs;
  }

  /** Starts the loop; resolves after the first successful list. */
  start(): Promise<void> {
    this.#loop = this.#run();
    this.#resyncTimer = setInterval(() => this.#resync(), this.options.resyncMs);
    this.#resyncTimer.unref();
    return new Promise((resolve) => {
      const check = setInterval(() => {
        if (this.#synced || this.#stop.signal.aborted) {
          clearInterval(check);
          resolve();
        }
      }, 20);
    });
  }

  async stop(): Promise<void> {
    this.#stop.abort();
    clearInterval(this.#resyncTimer);
    await this.#loop;
  }

  async #run(): Promise<void> {
    let failures = 0;
    while (!this.#stop.signal.aborted) {
      try {
        if (!this.#resourceVersion) await this.#relist();
        const delivered = await this.#watchOnce();
        if (delivered) failures = 0;
      } catch (error) {
        if (this.#stop.signal.aborted) return;
        this.#resourceVersion = '';
        if (error instanceof WatchExpired) continue;
        const delay = backoffDelay(failures++, 500, 30_000);
        this.log.warn('watch failed; restarting', {
          resource: this.type.plural,
          error,
          retryInMs: Math.round(delay),
        });
        this.options.onRestart?.();
        await sleep(delay, this.#stop.signal);
      }
    }
  }

  async #relist(): Promise<void> {
    const list = await this.api.list<T>(this.type, this.options.namespace, this.options.labelSelector);
    const seen = new Set<string>();
    for (const object of list.items) {
      object.apiVersion ??= this.type.apiVersion;
      object.kind ??= this.type.kind;
      const key = keyOf(object);
      seen.add(key);
      const known = this.#objects.get(key);
      this.#objects.set(key, object);
      if (known?.metadata.resourceVersion !== object.metadata.resourceVersion)
        this.#emit(known ? 'modified' : 'added', object);
    }
    for (const [key, object] of this.#objects) {
      if (seen.has(key)) continue;
      this.#objects.delete(key);
      this.#emit('deleted', object);
    }
    this.#resourceVersion = list.metadata.resourceVersion;
    this.#lastActivity = Date.now();
    this.#synced = true;
  }

  /** One watch from the current resource version; resolves when the server ends it cleanly. */
  async #watchOnce(): Promise<boolean> {
    let delivered = false;
    const abort = new AbortController();
    const onStop = () => abort.abort();
    this.#stop.signal.addEventListener('abort', onStop, { once: true });
    let stalled = false;
    this.#lastActivity = Date.now();
    const watchdog = setInterval(
      () => {
        if (Date.now() - this.#lastActivity <= this.options.stallMs) return;
        stalled = true;
        abort.abort();
      },
      Math.min(this.options.stallMs / 4, 5_000),
    );
    let expired = false;
    let failure: string | undefined;
    try {
      await this.api.watch(
        this.type.path(this.options.namespace),
        {
          resourceVersion: this.#resourceVersion,
          allowWatchBookmarks: 'true',
          timeoutSeconds: String(this.options.watchTimeoutSeconds),
          labelSelector: this.options.labelSelector,
        },
        (event) => {
          this.#lastActivity = Date.now();
          const { type, object } = event as WatchEvent;
          if (type === 'ERROR') {
            if (object.code === 410) expired = true;
            else failure = object.message;
            abort.abort();
            return;
          }
          delivered = true;
          this.#apply(type, object as T);
        },
        abort.signal,
      );
    } finally {
      clearInterval(watchdog);
      this.#stop.signal.removeEventListener('abort', onStop);
    }
    if (expired) throw new WatchExpired();
    if (failure) throw new Error(`watch error: ${failure}`);
    if (stalled) throw new Error(`no watch event for ${this.options.stallMs} ms`);
    return delivered;
  }

  #apply(type: WatchEvent['type'], object: T): void {
    if (object.metadata?.resourceVersion) this.#resourceVersion = object.metadata.resourceVersion;
    if (type === 'BOOKMARK') return;
    object.apiVersion ??= this.type.apiVersion;
    object.kind ??= this.type.kind;
    const key = keyOf(object);
    if (type === 'DELETED') {
      this.#objects.delete(key);
      this.#emit('deleted', object);
      return;
    }
    const known = this.#objects.has(key);
    this.#objects.set(key, object);
    this.#emit(known ? 'modified' : 'added', object);
  }

  #resync(): void {
    if (!this.#synced) return;
    for (const object of this.#objects.values()) this.#emit('resync', object);
  }

  #emit(event: InformerEvent, object: T): void {
    for (const handler of this.#handlers) handler(event, object);
  }
}
