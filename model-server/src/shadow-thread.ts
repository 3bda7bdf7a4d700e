import { Worker } from 'node:worker_threads';
import type { ProductText } from '@prodclass/textmodel/text/product-text';
import type { Classifier, ClassifierLoader } from './classifier.js';
import type { LoadedModel } from './model-slot.js';
import type { ShadowPredictions, ShadowPredictor } from './shadow-mirror.js';

export type ShadowThreadRequest =
  | { type: 'load'; bundle: Uint8Array }
  | { type: 'predict'; id: number; products: ProductText[] };

export type ShadowThreadReply =
  | ({ id: number } & ShadowPredictions & { error?: undefined })
  | { id: number; error: string };

// Tests run the TypeScript sources (vitest resolves the workspaces with the `source` condition),
// which a plain worker thread cannot load: there the thread runs the built module (`npm run
// build`), as a deployed server does, without the test process's flags.
const runningSources = import.meta.url.endsWith('.ts');
const workerUrl = new URL(
  runningSources ? '../dist/shadow-worker.js' : './shadow-worker.js',
  import.meta.url,
);

/**
 * Predicts mirrored products on a worker thread of the lowest priority (shadow-worker.ts), so the
 * candidate's work and its garbage stay off the thread answering requests. The thread loads its own
 * copy of the candidate from the bundle the slot loaded (`recordingLoader` keeps it), once per
 * model, before the first products that model is to predict; it is started on first use and
 * started again if it dies.
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

  /** `load`, remembering each model's bundle for the thread. */
  recordingLoader(load: ClassifierLoader): ClassifierLoader {
    return (bundle) => {
      const classifier = load(bundle);
      this.#bundles.set(classifier, bundle);
      return classifier;
    };
  }

  predict(model: LoadedModel, products: readonly ProductText[]): Promise<ShadowPredictions> {
    const worker = this.#worker ?? this.#start();
    if (model.classifier !== this.#sent) {
      const bundle = this.#bundles.get(model.classifier);
      if (!bundle) {
        return Promise.reject(new Error(`the bundle of ${model.name} version ${model.version} was not kept`));
      }
      worker.postMessage({ type: 'load', bundle } satisfies ShadowThreadRequest);
      this.#sent = model.classifier;
    }
    const id = this.#nextId++;
    const texts = products.map(({ designation, description }) => ({ designation, description }));
    worker.postMessage({ type: 'predict', id, products: texts } satisfies ShadowThreadRequest);
    return new Promise((resolve, reject) => this.#waiting.set(id, { resolve, reject }));
  }

  /** Stops the thread; predictions still waiting for it fail. */
  async close(): Promise<void> {
    const worker = this.#worker;
    this.#worker = undefined;
    await worker?.terminate();
    this.#failWaiting(new Error('the shadow thread was stopped'));
  }

  #start(): Worker {
    const worker = new Worker(workerUrl, runningSources ? { execArgv: [] } : {});
    worker.unref();
    worker.on('message', (reply: ShadowThreadReply) => {
      const waiting = this.#waiting.get(reply.id);
      this.#waiting.delete(reply.id);
      if (reply.error === undefined) waiting?.resolve(reply);
      else waiting?.reject(new Error(reply.error));
    });
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

  #failWaiting(error: Error): void {
    for (const { reject } of this.#waiting.values()) reject(error);
    this.#waiting.clear();
  }
}
