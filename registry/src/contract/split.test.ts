import { expect, test } from 'vitest';
import { recordedSplit, splitMethods, splitSpecParams } from './split.js';

test('a split read back from its params is the split written', () => {
  const hashed = { method: splitMethods.productIdHash, testSize: 0.2, key: 'prodclass' } as const;
  expect(recordedSplit(splitSpecParams(hashed), 7, 'run r')).toEqual(hashed);
  const positional = { method: splitMethods.positional, testSize: 0.25, seed: 7 } as const;
  expect(recordedSplit(splitSpecParams(positional), 7, 'run r')).toEqual(positional);
});

test('a run logged before split_method existed used the positional split with its seed', () => {
  expect(recordedSplit({ test_size: '0.2' }, 42, 'run r')).toEqual({
    method: splitMethods.positional,
    testSize: 0.2,
    seed: 42,
  });
});

test('missing or unknown split params are named', () => {
  expect(() => recordedSplit({}, 42, 'run r')).toThrow('run r recorded no valid test_size');
  expect(() => recordedSplit({ test_size: '0.2', split_method: 'productid_hash' }, 42, 'run r')).toThrow(
    'recorded no split_key',
  );
  expect(() => recordedSplit({ test_size: '0.2', split_method: 'x' }, 42, 'run r')).toThrow(
    'unknown split_method "x"',
  );
});
