import { expect, test } from 'vitest';
import { CopyLineQueue, linesPerChunk } from './copy-line-queue.js';

function text(taken: { chunks: Buffer[] }): string {
  return Buffer.concat(taken.chunks).toString('utf8');
}

test('lines come out in order, as UTF-8, taken in whole chunks up to the limit', () => {
  const queue = new CopyLineQueue();
  const lines = Array.from({ length: 3 * linesPerChunk + 7 }, (_, index) => `${index}\tété 😀\n`);
  for (const line of lines) queue.push(line);
  expect(queue.lines).toBe(lines.length);

  const first = queue.take(2 * linesPerChunk + 10);
  expect(first.lines).toBe(2 * linesPerChunk);
  expect(text(first)).toBe(lines.slice(0, 2 * linesPerChunk).join(''));
  first.release();

  queue.push('late\n');
  const rest = queue.take(10 * linesPerChunk);
  expect(rest.lines).toBe(linesPerChunk + 8);
  expect(text(rest)).toBe([...lines.slice(2 * linesPerChunk), 'late\n'].join(''));
  expect(queue.lines).toBe(0);
});

test('a chunk grows for lines longer than it has room for, and reused chunks hold only new lines', () => {
  const queue = new CopyLineQueue();
  const long = `${'€'.repeat(100_000)}\n`;
  queue.push('a\n');
  queue.push(long);
  const taken = queue.take(linesPerChunk);
  expect(text(taken)).toBe(`a\n${long}`);
  taken.release();

  queue.push('b\n');
  expect(text(queue.take(linesPerChunk))).toBe('b\n');
});

test('a taken partial chunk is closed: later lines go to a new one', () => {
  const queue = new CopyLineQueue();
  queue.push('x\n');
  const taken = queue.take(linesPerChunk);
  queue.push('y\n');
  expect(text(taken)).toBe('x\n');
  expect(text(queue.take(linesPerChunk))).toBe('y\n');
});
