import type { ProductText } from '@prodclass/textmodel/text/product-text';
import { describe, expect, test, vi } from 'vitest';
import type { LoadedModel, ModelSlot } from './model-slot.js';
import {
  ShadowMirror,
  type ShadowObserver,
  type ShadowPredictions,
  type ShadowPredictor,
} from './shadow-mirror.js';

/** A predictor that records each batch and answers code 10 for every product when `answer` is called. */
function predictor() {
  const batches: number[] = [];
  const shadowOf: string[][] = [];
  const answers: (() => void)[] = [];
  let closed = false;
  const port: ShadowPredictor = {
    predict(_model, products: readonly ProductText[], ids: readonly string[]) {
      batches.push(products.length);
      shadowOf.push([...ids]);
      return new Promise<ShadowPredictions>((resolve) =>
        answers.push(() => resolve({ classCodes: Int32Array.from(products, () => 10), milliseconds: 1 })),
      );
    },
    async close() {
      closed = true;
    },
  };
  const answerAll = () => {
    for (const answer of answers.splice(0)) answer();
  };
  return { port, batches, shadowOf, answerAll, closed: () => closed };
}

const loaded = { current: { name: 'm', version: '2' } as LoadedModel } as ModelSlot;

function observer() {
  const seen = { predicted: 0, agreeing: 0, dropped: new Map<string, number>() };
  const events: ShadowObserver = {
    predicted(_version, count, agreeing) {
      seen.predicted += count;
      seen.agreeing += agreeing;
    },
    dropped: (count, reason) => seen.dropped.set(reason, (seen.dropped.get(reason) ?? 0) + count),
    failed: () => undefined,
  };
  return { seen, events };
}

const request = (products: number, servedCode = 10) => ({
  products: Array.from({ length: products }, (_, index) => ({ designation: `p${index}` })),
  predictionIds: Array.from({ length: products }, (_, index) => `id${index}`),
  servedCodes: Array.from({ length: products }, () => servedCode),
});

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
/** Waits until the batches sent to the predictor are `expected`. */
const batchesAre = (batches: number[], expected: number[]) =>
  vi.waitFor(() => expect(batches).toEqual(expected));

describe('ShadowMirror', () => {
  test('offer returns before the candidate predicts; the requests offered within the batch interval go to it as one batch', async () => {
    const { port, batches, shadowOf, answerAll } = predictor();
    const { seen, events } = observer();
    const mirror = new ShadowMirror(loaded, port, 10, events);
    mirror.offer(request(2));
    mirror.offer(request(3, 20));
    expect(batches).toEqual([]);
    expect(mirror.depth).toBe(5);
    await batchesAre(batches, [5]);
    expect(shadowOf[0]).toEqual(['id0', 'id1', 'id0', 'id1', 'id2']);
    mirror.offer(request(1));
    await batchesAre(batches, [5, 1]);
    expect(mirror.depth).toBe(6);
    answerAll();
    await nextTurn();
    expect(seen).toMatchObject({ predicted: 6, agreeing: 3 });
    expect(mirror.depth).toBe(0);
  });

  test('predictions sent to the candidate count against the capacity until they are back; a request that does not fit is dropped whole and counted', async () => {
    const { port, batches, answerAll } = predictor();
    const { seen, events } = observer();
    const mirror = new ShadowMirror(loaded, port, 4, events);
    mirror.offer(request(3));
    await batchesAre(batches, [3]);
    mirror.offer(request(2));
    expect(seen.dropped.get('queue_full')).toBe(2);
    answerAll();
    await vi.waitFor(() => expect(mirror.depth).toBe(0));
    mirror.offer(request(2));
    await batchesAre(batches, [3, 2]);
  });

  test('drain predicts what is offered at once, waits for the candidate, then closes the predictor', async () => {
    const { port, batches, answerAll, closed } = predictor();
    const { seen, events } = observer();
    const mirror = new ShadowMirror(loaded, port, 10, events);
    mirror.offer(request(3));
    mirror.offer(request(1));
    const drained = mirror.drain();
    expect(batches).toEqual([4]);
    expect(closed()).toBe(false);
    answerAll();
    await drained;
    expect(seen.predicted).toBe(4);
    expect(closed()).toBe(true);
  });

  test('without a loaded candidate, mirrored predictions are dropped as no_model; a failed batch as failed', async () => {
    const { events, seen } = observer();
    const idle = new ShadowMirror({ current: undefined } as ModelSlot, predictor().port, 10, events);
    idle.offer(request(4));
    await vi.waitFor(() => expect(seen.dropped.get('no_model')).toBe(4));
    const failing: ShadowPredictor = {
      predict: () => Promise.reject(new Error('the thread died')),
      close: async () => undefined,
    };
    const mirror = new ShadowMirror(loaded, failing, 10, events);
    mirror.offer(request(2));
    await mirror.drain();
    expect(seen.dropped.get('failed')).toBe(2);
    expect(mirror.depth).toBe(0);
  });
});
