import { SeededRandom } from './random.js';

/**
 * Random oversampling: returns the given positions plus, for every label below the majority
 * count, positions drawn with replacement from that label until it reaches the majority count.
 * Originals come first, in their given order; the drawn duplicates follow.
 */
export function oversampleToMajority(
  positions: readonly number[],
  labels: ArrayLike<number>,
  seed: number,
): number[] {
  const positionsByLabel = new Map<number, number[]>();
  for (const position of positions) {
    const label = labels[position] as number;
    const group = positionsByLabel.get(label);
    if (group) group.push(position);
    else positionsByLabel.set(label, [position]);
  }
  const majority = Math.max(0, ...[...positionsByLabel.values()].map((group) => group.length));
  const random = new SeededRandom(seed);
  const result = [...positions];
  for (const label of [...positionsByLabel.keys()].sort((a, b) => a - b)) {
    const group = positionsByLabel.get(label) as number[];
    for (let added = group.length; added < majority; added++) result.push(random.pick(group));
  }
  return result;
}
