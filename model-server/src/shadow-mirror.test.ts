import { describe, expect, test } from 'vitest';
import type { Classifier } from './classifier.js';
import type { LoadedModel, ModelSlot } from './model-slot.js';
import { ShadowMirror, type ShadowObserver } from './shadow-mirror.js';

/** A candidate whose classifier records each call and answers code 10 for every product. */
function candidate() {
  const calls: number[] = [];
  const classifier = {
    predictTopK(products: readonly unknown[]) {
      calls.push(products.length);
      return products.map(() => [{ classCode: 10, probability: 0.9 }]);
    },
  } as unknown as Classifier;
  const model = { name: 'm', version: '2', classifier } as LoadedModel;
  return { slot: { current: model } as ModelSlot, calls };
}

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

describe('ShadowMirror', () => {
  test('offer returns before the candidate predicts; the queue is worked one request per turn of the event loop', async () => {
    const { slot, calls } = candidate();
    const { seen, events } = observer();
    const mirror = new ShadowMirror(slot, undefined, 10, events);
    mirror.offer(request(2));
    mirror.offer(request(3, 20));
    expect(calls).toEqual([]);
    expect(mirror.depth).toBe(5);
    await nextTurn();
    expect(calls).toEqual([2]);
    await nextTurn();
    expect(calls).toEqual([2, 3]);
    expect(seen).toMatchObject({ predicted: 5, agreeing: 2 });
    expect(mirror.depth).toBe(0);
  });

  test('a request that does not fit the capacity is dropped whole and counted; drain predicts what is queued at once', () => {
    const { slot, calls } = candidate();
    const { seen, events } = observer();
    const mirror = new ShadowMirror(slot, undefined, 4, events);
    mirror.offer(request(3));
    mirror.offer(request(2));
    mirror.offer(request(1));
    expect(seen.dropped.get('queue_full')).toBe(2);
    mirror.drain();
    expect(calls).toEqual([3, 1]);
  });

  test('without a loaded candidate, mirrored predictions are dropped as no_model', async () => {
    const { events, seen } = observer();
    const mirror = new ShadowMirror({ current: undefined } as ModelSlot, undefined, 10, events);
    mirror.offer(request(4));
    await nextTurn();
    expect(seen.dropped.get('no_model')).toBe(4);
  });
});
