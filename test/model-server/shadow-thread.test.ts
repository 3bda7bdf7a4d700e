import fs from 'node:fs';
import { afterAll, describe, expect, test } from 'vitest';
import { loadBundleClassifier } from '../../model-server/src/bundle-classifier.js';
import type { LoadedModel } from '../../model-server/src/model-slot.js';
import { ShadowThread } from '../../model-server/src/shadow-thread.js';
import { fitTestBundle, syntheticProducts } from './support/bundle.js';

const thread = new ShadowThread(
  {},
  { written: () => undefined, dropped: () => undefined, writeFailed: () => undefined },
);
afterAll(() => thread.close());

const products = syntheticProducts(50, 7).map(({ designation, description }) => ({
  designation,
  description,
}));
const shadowOf = products.map((_, index) => `id${index}`);

async function loaded(seed: number, version: string): Promise<LoadedModel> {
  const classifier = thread.recordingLoader(loadBundleClassifier)(await fitTestBundle(seed));
  return { name: 'candidate', version, classifier } as LoadedModel;
}

/** The classes `model` gives `products` on this thread. */
const onThisThread = (model: LoadedModel) =>
  model.classifier.predictTopK(products, 1).map((ranking) => ranking[0]?.classCode);

/** Scheduling policy and nice value of each thread of this process (fields 41 and 19 of its stat). */
function threadScheduling(): { policy: number; nice: number }[] {
  return fs.readdirSync('/proc/self/task').flatMap((threadId) => {
    try {
      const stat = fs.readFileSync(`/proc/self/task/${threadId}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return [{ nice: Number(fields[16]), policy: Number(fields[38]) }];
    } catch {
      return []; // The thread ended while we looked.
    }
  });
}

const schedIdle = 5;

describe('ShadowThread', () => {
  test('predicts on its worker thread what the candidate predicts here, and follows a reloaded candidate', async () => {
    const first = await loaded(41, '1');
    const second = await loaded(42, '2');
    const expected = [onThisThread(first), onThisThread(second)];
    expect(expected[0]).not.toEqual(expected[1]);
    const [fromFirst, fromSecond, fromFirstAgain] = await Promise.all([
      thread.predict(first, products, shadowOf),
      thread.predict(second, products, shadowOf),
      thread.predict(first, products, shadowOf),
    ]);
    expect([...(fromFirst?.classCodes ?? [])]).toEqual(expected[0]);
    expect([...(fromSecond?.classCodes ?? [])]).toEqual(expected[1]);
    expect([...(fromFirstAgain?.classCodes ?? [])]).toEqual(expected[0]);
  }, 120_000);

  test('a model whose bundle was not kept fails its predictions instead of using another model', async () => {
    const first = await loaded(41, '1');
    const unrecorded = { ...first, classifier: loadBundleClassifier(await fitTestBundle(43)) };
    await expect(thread.predict(unrecorded, products, shadowOf)).rejects.toThrow(/was not kept/);
  }, 120_000);

  test('runs under the idle scheduling policy, so a waking request thread preempts it at once', async () => {
    await thread.predict(await loaded(41, '1'), products, shadowOf);
    const idle = threadScheduling().filter(({ policy }) => policy === schedIdle);
    expect(idle).toEqual([{ policy: schedIdle, nice: 19 }]);
  }, 120_000);
});
