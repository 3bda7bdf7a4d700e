import { SeededRandom } from './random.js';

/** Shuffles `items` in place with a seeded Fisher-Yates and returns it. */
export function shuffleInPlace<T extends { length: number; [index: number]: unknown }>(
  items: T,
  random: SeededRandom,
): T {
  for (let i = items.length - 1; i > 0; i--) {
    const j = random.below(i + 1);
    const held = items[i];
    items[i] = items[j];
    items[j] = held;
  }
  return items;
}

/** The row indices 0..size-1 in the order of a seeded Fisher-Yates shuffle. */
export function seededPermutation(size: number, seed: number): Uint32Array {
  const indices = new Uint32Array(size);
  for (let i = 0; i < size; i++) indices[i] = i;
  return shuffleInPlace(indices, new SeededRandom(seed));
}
