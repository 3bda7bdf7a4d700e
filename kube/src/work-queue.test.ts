import { expect, test } from 'vitest';
import { WorkQueue } from './work-queue.js';

test('a key is queued once and never handed to two workers at once', async () => {
  const queue = new WorkQueue();
  queue.add('a');
  queue.add('a');
  queue.add('b');
  expect(queue.depth).toBe(2);
  const first = await queue.get();
  expect(first).toBe('a');
  queue.add('a');
  expect(await queue.get()).toBe('b');
  expect(queue.depth).toBe(0);
  queue.done('a');
  expect(await queue.get()).toBe('a');
});

test('delayed and rate-limited adds arrive later; shutDown releases waiting workers', async () => {
  const queue = new WorkQueue({ baseMs: 20, maxMs: 1000 });
  queue.addAfter('later', 50);
  queue.add('now');
  expect(queue.depth).toBe(1);
  expect(await queue.get()).toBe('now');
  expect(await queue.get()).toBe('later');
  queue.done('now');
  queue.done('later');
  queue.addRateLimited('flaky');
  expect(await queue.get()).toBe('flaky');
  const waiting = queue.get();
  queue.shutDown();
  expect(await waiting).toBeUndefined();
});
