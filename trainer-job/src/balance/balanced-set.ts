import type { DatasetRow } from '@prodclass/catalog/fingerprint';
import { oversampleToMajority } from '@prodclass/textmodel/sampling/oversample';
import { stratifiedSplit } from '@prodclass/textmodel/sampling/stratified-split';

export interface BalancedRow extends DatasetRow {
  split: 'train' | 'test';
}

export interface BalancedSet {
  /** The training part, oversampled, then the untouched test part. */
  rows: BalancedRow[];
  testRows: number;
  trainRowsBefore: number;
  trainRowsAfter: number;
  trainCountsBefore: Map<number, number>;
  trainCountsAfter: Map<number, number>;
  testCounts: Map<number, number>;
}

function countByLabel(positions: readonly number[], labels: Int32Array): Map<number, number> {
  const counts = new Map<number, number>();
  for (const position of positions) {
    const label = labels[position] as number;
    counts.set(label, (counts.get(label) ?? 0) + 1);
  }
  return new Map([...counts].sort(([a], [b]) => a - b));
}

/** Largest class count over smallest (1 when there is a single class). */
export function imbalanceRatio(counts: Map<number, number>): number {
  const values = [...counts.values()];
  return values.length === 0 ? 1 : Math.max(...values) / Math.min(...values);
}

/**
 * A training set balanced by random oversampling, without leaking into its test set: the rows
 * are split (stratified, seeded) first, and only the training part is oversampled, every
 * minority class up to the majority count. A test product never appears in the training part.
 */
export function buildBalancedSet(rows: readonly DatasetRow[], testSize: number, seed: number): BalancedSet {
  const labels = Int32Array.from(rows, (row) => row.prdtypecode);
  const { train, test } = stratifiedSplit(labels, testSize, seed);
  const oversampled = oversampleToMajority(train, labels, seed);
  const rowAt = (position: number, split: BalancedRow['split']): BalancedRow => ({
    ...(rows[position] as DatasetRow),
    split,
  });
  return {
    rows: [
      ...oversampled.map((position) => rowAt(position, 'train')),
      ...test.map((position) => rowAt(position, 'test')),
    ],
    testRows: test.length,
    trainRowsBefore: train.length,
    trainRowsAfter: oversampled.length,
    trainCountsBefore: countByLabel(train, labels),
    trainCountsAfter: countByLabel(oversampled, labels),
    testCounts: countByLabel(test, labels),
  };
}
