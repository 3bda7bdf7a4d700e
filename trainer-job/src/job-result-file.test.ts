import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { terminationMessagePath, terminationMessagePathEnv } from '@prodclass/registry/contract/job-result';
import { afterEach, expect, test } from 'vitest';
import { writeJobResult } from './job-result-file.js';

const loaded = {
  kind: 'load',
  dataVersion: 'initial',
  rowsAdded: 800,
  totalRows: 800,
  percentage: 40,
} as const;

afterEach(() => {
  delete process.env[terminationMessagePathEnv];
});

test('the result goes to the file PRODCLASS_TERMINATION_MESSAGE_PATH names', () => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'job-result-')), 'message');
  process.env[terminationMessagePathEnv] = file;
  writeJobResult(loaded);
  expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual(loaded);
});

test('outside a container, without the variable, nothing is written and /dev is left alone', () => {
  expect(fs.existsSync(terminationMessagePath)).toBe(false);
  writeJobResult(loaded);
  expect(fs.existsSync(terminationMessagePath)).toBe(false);
});
