import type { ProductText } from '@prodclass/textmodel/text/product-text';
import type { LoadedModel, ModelSlot } from './model-slot.js';

export type MirroredProduct = ProductText & { productid?: number };

/** Products the primary answered, to be predicted again by the candidate. */
export interface MirroredRequest {
  products: readonly MirroredProduct[];
  /** The prediction ids the caller received, in the order of `products`. */
  predictionIds: readonly string[];
  /** The codes the primary answered, in the same order. */
  servedCodes: readonly number[];
}

/** The candidate's best class for each product of a batch. */
export interface ShadowPredictions {
  classCodes: Int32Array;
  /** How long the candidate took for the whole batch. */
  milliseconds: number;
}

/**
 * Where the candidate predicts, off the thread that answers requests (shadow-thread.ts): it also
 * logs each prediction as a shadow row, `shadow_of` the id in `shadowOf` at the product's index.
 */
export interface ShadowPredictor {
  predict(
    model: LoadedModel,
    products: readonly MirroredProduct[],
    shadowOf: readonly string[],
  ): Promise<ShadowPredictions>;
  /** Logs what it has predicted and stops. */
  close(): Promise<void>;
}

export interface ShadowObserver {
  /** The candidate predicted `count` products; `agreeing` of them got the primary's code. */
  predicted(modelVersion: string, count: number, agreeing: number, seconds: number): void;
  /** Predictions never made: the queue was full, no candidate was loaded yet, or it failed. */
  dropped(count: number, reason: 'queue_full' | 'no_model' | 'failed'): void;
  failed(error: Error): void;
}

/**
 * How long mirrored requests gather before they go to the predictor as one batch: each batch costs
 * the thread answering requests a message each way, so at 1,000 requests/s one a request would cost
 * it more than the candidate's prediction itself (bench/RESULTS.md).
 */
export const shadowBatchIntervalMs = 20;

/**
 * Mirrors requests to the candidate model off the request path: `offer` only appends to a queue
 * bounded in predictions and never waits (a request that does not fit is dropped and counted).
 * `shadowBatchIntervalMs` after the first request offered, the requests offered meanwhile go to the
 * predictor as one batch; they count against the bound until their predictions are back. The
 * predictor logs the candidate's predictions as shadow rows of the prediction ids the callers
 * received; here they are counted, agreeing with the primary's answer or not.
 */
export class ShadowMirror {
  #offered: MirroredRequest[] = [];
  #queuedPredictions = 0;
  #scheduled = false;
  readonly #predicting = new Set<Promise<void>>();

  constructor(
    private readonly candidate: ModelSlot,
    private readonly predictor: ShadowPredictor,
    private readonly capacity: number,
    private readonly observer: ShadowObserver,
  ) {}

  /** Predictions offered and not yet made by the candidate. */
  get depth(): number {
    return this.#queuedPredictions;
  }

  offer(request: MirroredRequest): void {
    const count = request.products.length;
    if (this.#queuedPredictions + count > this.capacity) {
      this.observer.dropped(count, 'queue_full');
      return;
    }
    this.#offered.push(request);
    this.#queuedPredictions += count;
    if (!this.#scheduled) {
      this.#scheduled = true;
      setTimeout(this.#send, shadowBatchIntervalMs).unref();
    }
  }

  /** At shutdown: predicts everything offered so far, then closes the predictor, which writes their rows. */
  async drain(): Promise<void> {
    this.#send();
    await Promise.all(this.#predicting);
    await this.predictor.close();
  }

  readonly #send = () => {
    this.#scheduled = false;
    const requests = this.#offered;
    if (requests.length === 0) return;
    this.#offered = [];
    const count = requests.reduce((sum, request) => sum + request.products.length, 0);
    const model = this.candidate.current;
    if (!model) {
      this.#queuedPredictions -= count;
      this.observer.dropped(count, 'no_model');
      return;
    }
    const predicting = this.predictor
      .predict(
        model,
        requests.flatMap((request) => request.products),
        requests.flatMap((request) => request.predictionIds),
      )
      .then(
        (predictions) => this.#count(model, requests, predictions),
        (error: Error) => {
          this.observer.failed(error);
          this.observer.dropped(count, 'failed');
        },
      )
      .finally(() => {
        this.#queuedPredictions -= count;
        this.#predicting.delete(predicting);
      });
    this.#predicting.add(predicting);
  };

  #count(
    model: LoadedModel,
    requests: readonly MirroredRequest[],
    { classCodes, milliseconds }: ShadowPredictions,
  ): void {
    let agreeing = 0;
    let index = 0;
    for (const { servedCodes } of requests) {
      for (const servedCode of servedCodes) if (classCodes[index++] === servedCode) agreeing++;
    }
    this.observer.predicted(model.version, classCodes.length, agreeing, milliseconds / 1000);
  }
}
