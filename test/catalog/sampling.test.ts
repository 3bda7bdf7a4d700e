import { oversampleToMajority } from '@prodclass/textmodel/sampling/oversample';
import { seededPermutation } from '@prodclass/textmodel/sampling/permutation';
import { stratifiedSplit } from '@prodclass/textmodel/sampling/stratified-split';
import { expect, test } from 'vitest';

const labels = Int32Array.from({ length: 1_000 }, (_, index) =>
  index % 10 < 7 ? 1 : index % 10 < 9 ? 2 : 3,
);

test('the seeded permutation is a permutation, the same for a seed, different for another', () => {
  const permutation = seededPermutation(84_916, 42);
  expect(new Set(permutation).size).toBe(84_916);
  expect(Math.max(...permutation)).toBe(84_915);
  expect(seededPermutation(84_916, 42)).toEqual(permutation);
  expect(seededPermutation(84_916, 43)).not.toEqual(permutation);
});

test('stratifiedSplit keeps each label share on both sides, with disjoint sorted indices', () => {
  const { train, test: held } = stratifiedSplit(labels, 0.2, 42);
  expect(train.length + held.length).toBe(1_000);
  expect(new Set([...train, ...held]).size).toBe(1_000);
  expect([...held].sort((a, b) => a - b)).toEqual(held);
  const count = (indices: number[], label: number) =>
    indices.filter((index) => labels[index] === label).length;
  expect([1, 2, 3].map((label) => count(held, label))).toEqual([140, 40, 20]);
  expect(stratifiedSplit(labels, 0.2, 42)).toEqual({ train, test: held });
  expect(stratifiedSplit(labels, 0.2, 7).test).not.toEqual(held);
});

test('stratifiedSplit keeps a row of each side for tiny classes and refuses a bad test size', () => {
  const { train, test: held } = stratifiedSplit([5, 5, 9], 0.1, 1);
  expect(held).toHaveLength(1);
  expect(train).toContain(2);
  expect(() => stratifiedSplit(labels, 1, 42)).toThrow('test size must be between 0 and 1');
});

test('oversampling brings every label of the given rows up to the majority, drawing only from them', () => {
  const { train } = stratifiedSplit(labels, 0.2, 42);
  const balanced = oversampleToMajority(train, labels, 42);
  const trainSet = new Set(train);
  expect(balanced.every((index) => trainSet.has(index))).toBe(true);
  const counts = [1, 2, 3].map((label) => balanced.filter((index) => labels[index] === label).length);
  expect(counts).toEqual([560, 560, 560]);
  expect(balanced.slice(0, train.length)).toEqual(train);
});
