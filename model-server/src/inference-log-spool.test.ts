import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from 'vitest';
import { InferenceLogSpool } from './inference-log-spool.js';

const lines = (from: number, to: number) =>
  Buffer.from(Array.from({ length: to - from }, (_, index) => `row ${from + index}\n`).join(''));

const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'prodclass-spool-unit-'));

async function drain(spool: InferenceLogSpool): Promise<string> {
  let text = '';
  for (let segment = await spool.oldest(); segment; segment = await spool.oldest()) {
    text += segment.bytes.toString();
    await segment.remove();
  }
  return text;
}

test('lines come back oldest first, across segments and a reopened spool; a line cut short is dropped', async () => {
  const dir = tempDir();
  const spool = await InferenceLogSpool.open(dir, 64 * 1024 * 1024);
  // 4.4 MB of lines fill a first segment; the next lines start a second one.
  expect(await spool.append([lines(0, 200_000)], 200_000)).toBe(true);
  expect(await spool.append([lines(200_000, 400_000)], 200_000)).toBe(true);
  expect(await spool.append([lines(400_000, 400_010)], 10)).toBe(true);
  expect(spool.lines).toBe(400_010);
  await spool.close();
  const files = fs.readdirSync(dir).sort();
  expect(files.length).toBe(2);
  fs.appendFileSync(path.join(dir, files.at(-1) as string), 'row 400010 cut sh');

  const reopened = await InferenceLogSpool.open(dir, 64 * 1024 * 1024);
  expect(reopened.lines).toBe(400_010);
  expect(reopened.bytes).toBe(lines(0, 400_010).length);
  expect(await reopened.append([lines(400_010, 400_012)], 2)).toBe(true);
  expect(await drain(reopened)).toBe(lines(0, 400_012).toString());
  expect(reopened.empty).toBe(true);
  expect(reopened.bytes).toBe(0);
  expect(fs.readdirSync(dir)).toEqual([]);
});

test('lines that would pass the size are refused whole, and the spool takes lines again once written', async () => {
  const spool = await InferenceLogSpool.open(tempDir(), 100);
  expect(await spool.append([lines(0, 10)], 10)).toBe(true);
  expect(spool.bytes).toBe(lines(0, 10).length);
  expect(await spool.append([lines(10, 20)], 10)).toBe(false);
  expect(spool.lines).toBe(10);
  expect(await drain(spool)).toBe(lines(0, 10).toString());
  expect(await spool.append([lines(10, 20)], 10)).toBe(true);
  expect(await drain(spool)).toBe(lines(10, 20).toString());
});

test('lines appended while the oldest segment is being written go to a new segment', async () => {
  const dir = tempDir();
  const spool = await InferenceLogSpool.open(dir, 1024 * 1024);
  await spool.append([lines(0, 3)], 3);
  const oldest = await spool.oldest();
  await spool.append([lines(3, 5)], 2);
  expect(oldest?.bytes.toString()).toBe(lines(0, 3).toString());
  await oldest?.remove();
  expect(spool.lines).toBe(2);
  expect(await drain(spool)).toBe(lines(3, 5).toString());
});
