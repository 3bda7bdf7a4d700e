import { shuffleInPlace } from './permutation.js';
import { SeededRandom } from './random.js';

export interface SplitIndices {
  train: number[];
  test: number[];
}

/**
 * Splits row positions into train and test so that each label keeps its share in both parts:
 * round(count * testSize) rows of every label go to test, but a label with at least two rows
 * always keeps one row on each side. Deterministic for a seed; both index lists come out sorted.
 */
export function stratifiedSplit(labels: ArrayLike<number>, testSize: number, seed: number): SplitIndices {
  if (!(testSize > 0 && testSize < 1)) throw new Error(`test size must be between 0 and 1, got ${testSize}`);
  const positionsByLabel = new Map<number, number[]>();
  for (let position = 0; position < labels.length; position++) {
    const label = labels[position] as number;
    const positions = positionsByLabel.get(label);
    if (positions) positions.push(position);
    else positionsByLabel.set(label, [position]);
  }
  const random = new SeededRandom(seed);
  const train: number[] = [];
  const test: number[] = [];
  for (const label of [...positionsByLabel.keys()].sort((a, b) => a - b)) {
    const positions = shuffleInPlace(positionsByLabel.get(label) as number[], random);
    let testCount = Math.round(positions.length * testSize);
    if (positions.length >= 2) testCount = Math.min(Math.max(testCount, 1), positions.length - 1);
    test.push(...positions.slice(0, testCount));
    train.push(...positions.slice(testCount));
  }
  const ascending = (a: number, b: number) => a - b;
  return { train: train.sort(ascending), test: test.sort(ascending) };
}
