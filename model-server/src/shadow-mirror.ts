import { performance } from 'node:perf_hooks';
import type { TokenCount } from '@prodclass/textmodel/model/text-classifier';
import type { ProductText } from '@prodclass/textmodel/text/product-text';
import type { InferenceLog } from './inference-log.js';
import type { ModelSlot } from './model-slot.js';
import { uuidv7 } from './uuidv7.js';

/** Products the primary answered, to be predicted again by the candidate. */
export interface MirroredRequest {
  products: readonly (ProductText & { productid?: number })[];
  /** The prediction ids the caller received, in the order of `products`. */
  predictionIds: readonly string[];
  /** The codes the primary answered, in the same order. */
  servedCodes: readonly number[];
}

export interface ShadowObserver {
  /** The candidate predicted `count` products; `agreeing` of them got the primary's code. */
  predicted(modelVersion: string, count: number, agreeing: number, seconds: number): void;
  /** Predictions never made: the queue was full, no candidate was loaded yet, or it failed. */
  dropped(count: number, reason: 'queue_full' | 'no_model' | 'failed'): void;
  failed(error: Error): void;
}

/**
 * Mirrors requests to the candidate model off the request path: `offer` only appends to a queue
 * bounded in predictions and never waits (a request that does not fit is dropped and counted);
 * the queue is worked one request per turn of the event loop (setImmediate), after the answers
 * already computed have been sent. The candidate's predictions go to the inference log with
 * `shadowOf`, the prediction id the caller received.
 */
export class ShadowMirror {
  #queue: MirroredRequest[] = [];
  #head = 0;
  #queuedPredictions = 0;
  #scheduled = false;
  readonly #tokenCounts: TokenCount[] = [];

  constructor(
    private readonly candidate: ModelSlot,
    private readonly inferenceLog: InferenceLog | undefined,
    private readonly capacity: number,
    private readonly observer: ShadowObserver,
  ) {}

  /** Predictions waiting for the candidate. */
  get depth(): number {
    return this.#queuedPredictions;
  }

  offer(request: MirroredRequest): void {
    const count = request.products.length;
    if (this.#queuedPredictions + count > this.capacity) {
      this.observer.dropped(count, 'queue_full');
      return;
    }
    this.#queue.push(request);
    this.#queuedPredictions += count;
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(this.#work);
    }
  }

  /** Predicts everything still queued now (at shutdown, before the inference log's last write). */
  drain(): void {
    while (this.#predictNext()) {}
  }

  readonly #work = () => {
    this.#scheduled = false;
    if (this.#predictNext() && this.#head < this.#queue.length) {
      this.#scheduled = true;
      setImmediate(this.#work);
    }
  };

  #predictNext(): boolean {
    const request = this.#queue[this.#head];
    if (!request) return false;
    this.#queue[this.#head++] = undefined as unknown as MirroredRequest;
    if (this.#head === this.#queue.length) {
      this.#queue = [];
      this.#head = 0;
    }
    this.#queuedPredictions -= request.products.length;
    try {
      this.#predict(request);
    } catch (error) {
      this.observer.failed(error as Error);
      this.observer.dropped(request.products.length, 'failed');
    }
    return true;
  }

  #predict({ products, predictionIds, servedCodes }: MirroredRequest): void {
    const model = this.candidate.current;
    if (!model) {
      this.observer.dropped(products.length, 'no_model');
      return;
    }
    const tokenCounts = this.#tokenCounts;
    tokenCounts.length = 0;
    const started = performance.now();
    const rankings = model.classifier.predictTopK(products, 1, this.inferenceLog && tokenCounts);
    const elapsedMs = performance.now() - started;
    const predictedAt = new Date();
    const modelMs = elapsedMs / products.length;
    let agreeing = 0;
    products.forEach(({ designation, description, productid }, index) => {
      const best = rankings[index]?.[0];
      if (!best) throw new Error(`candidate ${model.name}/${model.version} returned no class`);
      if (best.classCode === servedCodes[index]) agreeing++;
      const logDescription = description || null;
      this.inferenceLog?.enqueue({
        predictedAt,
        predictionId: uuidv7(),
        shadowOf: predictionIds[index],
        modelName: model.name,
        modelVersion: model.version,
        prdtypecode: best.classCode,
        confidence: best.probability,
        textLength: designation.length + (logDescription?.length ?? 0),
        tokenCount: tokenCounts[index]?.tokens,
        unknownTokenCount: tokenCounts[index]?.unknown,
        modelMs,
        designation,
        description: logDescription,
        productid,
      });
    });
    this.observer.predicted(model.version, products.length, agreeing, elapsedMs / 1000);
  }
}
