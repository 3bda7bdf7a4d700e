import { Worker } from 'node:worker_threads';
import type { Classifier, ClassifierLoader } from './classifier.js';
import type { LoadedModel } from './model-slot.js';
import type { MirroredProduct, ShadowPredictions, ShadowPredictor } from './shadow-mirror.js';

export interface ShadowThreadOptions {
  /** Where the thread writes the shadow rows of the inference log; none without one. */
  databaseUrl?: string;
}

/** What the thread's own inference log reports, for the server's metrics and log. */
export interface ShadowLogObserver {
  written(rows: number): void;
  dropped(rows: number, reason: 'queue_full' | 'write_failed' | 'spool_full'): void;
  writeFailed(message: string): void;
}

export type ShadowThreadRequest =
  | { type: 'load'; bundle: Uint8Array; name: string; version: string }
  | { type: 'predict'; id: number; products: MirroredProduct[]; shadowOf: readonly string[] }
  | { type: 'close' };

export type ShadowThreadReply =
  | ({ type: 'predicted'; id: number } & ShadowPredictions)
  | { type: 'failed'; id: number; error: string }
  | {
      type: 'log';
      event: 'written' | 'dropped' | 'writeFailed';
      rows: number;
      reason?: 'queue_full' | 'write_failed' | 'spool_full';
      error?: string;
    }
  | { type: 'closed' };

// Tests run the TypeScript sources (vitest resolves the workspaces with the `source` condition),
// which a plain worker thread cannot load: there the thread runs the built module (`npm run
// build`), as a deployed server does, without the test process's flags.
const runningSources = import.meta.url.endsWith('.ts');
const workerUrl = new URL(
  runningSources ? '../dist/shadow-worker.js' : './shadow-worker.js',
  import.meta.url,
);

/**
 * Predicts mirrored products on a worker thread of the lowest priority (shadow-worker.ts), which
 * also writes their shadow rows to the inference log, so the candidate's work, its rows and their
 * garbage stay off the thread answering requests. The thread loads its own copy of the candidate
 * from the bundle the slot loaded (`recordingLoader` keeps it), once per model, before the first
 * products that model is to predict; it is started on first use and started again if it dies.
 */
export class ShadowThread implements ShadowPredictor {
  readonly #bundles = new WeakMap<Classifier, Buffer>();
  #worker: Worker | undefined;
  /** The classifier whose bundle the worker has been sent. */
  #sent: Classifier | undefined;
  #nextId = 0;
  readonly #waiting = new Map<
    number,
    { resolve: (predictions: ShadowPredictions) => void; reject: (error: Error) => void }
  >();
  #closed: (() => void) | undefined;

  constructor(
    private readonly options: ShadowThreadOptions,
    private readonly logObserver: ShadowLogObserver,
  ) {}

  /** `load`, remembering each model's bundle for the thread. */
  recordingLoader(load: ClassifierLoader): ClassifierLoader {
    return (bundle) => {
      const classifier = load(bundle);
      this.#bundles.set(classifier, bundle);
      return classifier;
    };
  }

  predict(
    model: LoadedModel,
    products: readonly MirroredProduct[],
    shadowOf: readonly string[],
  ): Promise<ShadowPredictions> {
    const worker = this.#worker ?? this.#start();
    if (model.classifier !== this.#sent) {
      const bundle = this.#bundles.get(model.classifier);
      if (!bundle) {
        return Promise.reject(new Error(`the bundle of ${model.name} version ${model.version} was not kept`));
      }
      worker.postMessage({
        type: 'load',
        bundle,
        name: model.name,
        version: model.version,
      } satisfies ShadowThreadRequest);
      this.#sent = model.classifier;
    }
    const id = this.#nextId++;
    const texts = products.map(({ designation, description, productid }) => ({
      designation,
      description,
      productid,
    }));
    worker.postMessage({ type: 'predict', id, products: texts, shadowOf } satisfies ShadowThreadRequest);
    return new Promise((resolve, reject) => this.#waiting.set(id, { resolve, reject }));
  }

  /** Writes the thread's queued shadow rows, then stops it; predictions still waiting for it fail. */
  async close(): Promise<void> {
    const worker = this.#worker;
    if (!worker) return;
    await new Promise<void>((resolve) => {
      this.#closed = resolve;
      worker.once('exit', () => resolve());
      worker.postMessage({ type: 'close' } satisfies ShadowThreadRequest);
    });
    this.#worker = undefined;
    await worker.terminate();
    this.#failWaiting(new Error('the shadow thread was stopped'));
  }

  #start(): Worker {
    const worker = new Worker(workerUrl, {
      workerData: this.options,
      ...(runningSources ? { execArgv: [] } : {}),
    });
    worker.unref();
    worker.on('message', (reply: ShadowThreadReply) => this.#received(reply));
    const lost = (error: Error) => {
      if (this.#worker !== worker) return;
      this.#worker = undefined;
      this.#sent = undefined;
      this.#failWaiting(error);
    };
    worker.on('error', lost);
    worker.on('exit', (code) => lost(new Error(`the shadow thread exited with code ${code}`)));
    this.#worker = worker;
    return worker;
  }

  #received(reply: ShadowThreadReply): void {
    switch (reply.type) {
      case 'predicted':
      case 'failed': {
        const waiting = this.#waiting.get(reply.id);
        this.#waiting.delete(reply.id);
        if (reply.type === 'predicted') waiting?.resolve(reply);
        else waiting?.reject(new Error(reply.error));
        return;
      }
      case 'log':
        if (reply.event === 'written') this.logObserver.written(reply.rows);
        else if (reply.event === 'dropped')
          this.logObserver.dropped(reply.rows, reply.reason ?? 'write_failed');
        else this.logObserver.writeFailed(reply.error ?? 'unknown error');
        return;
      case 'closed':
        this.#closed?.();
    }
  }

  #failWaiting(error: Error): void {
    for (const { reject } of this.#waiting.values()) reject(error);
    this.#waiting.clear();
  }
}
