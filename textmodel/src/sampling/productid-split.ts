import { createHmac } from 'node:crypto';
import type { SplitIndices } from './stratified-split.js';

export interface IdentifiedLabel {
  productid: number;
  prdtypecode: number;
}

/** A product's place in [0, 1): the first 48 bits of HMAC-SHA256(key, productid). */
export function productHashPosition(productid: number, key: string): number {
  return createHmac('sha256', key).update(String(productid)).digest().readUIntBE(0, 6) / 2 ** 48;
}

/**
 * Splits products by a keyed hash of their product id: a product is held out when its hash
 * position is below `testSize`, whatever else the catalog holds. So a product keeps its side as
 * the catalog grows, every new product has the same chance of being held out, and each class is
 * held out at `testSize` in expectation (binomially around it, not exactly).
 *
 * A class with at least two rows that would fall all on one side gives up one row: the one whose
 * position is closest to the other side. Only such tiny classes can see a product change side
 * later; the promotion rule therefore excludes a champion's training products explicitly.
 * Both index lists come out sorted.
 */
export function productIdSplit(
  products: readonly IdentifiedLabel[],
  testSize: number,
  key: string,
): SplitIndices {
  if (!(testSize > 0 && testSize < 1)) throw new Error(`test size must be between 0 and 1, got ${testSize}`);
  if (key === '') throw new Error('the split key must not be empty');
  const held = new Uint8Array(products.length);
  const positions = new Float64Array(products.length);
  const byClass = new Map<number, number[]>();
  products.forEach(({ productid, prdtypecode }, index) => {
    positions[index] = productHashPosition(productid, key);
    held[index] = positions[index] < testSize ? 1 : 0;
    const members = byClass.get(prdtypecode);
    if (members) members.push(index);
    else byClass.set(prdtypecode, [index]);
  });
  for (const members of byClass.values()) {
    if (members.length < 2) continue;
    const heldCount = members.reduce((count, index) => count + (held[index] as number), 0);
    const byPosition = (a: number, b: number) => (positions[a] as number) - (positions[b] as number);
    if (heldCount === 0) held[members.reduce((a, b) => (byPosition(a, b) <= 0 ? a : b))] = 1;
    else if (heldCount === members.length)
      held[members.reduce((a, b) => (byPosition(a, b) >= 0 ? a : b))] = 0;
  }
  const train: number[] = [];
  const test: number[] = [];
  for (let index = 0; index < products.length; index++) (held[index] ? test : train).push(index);
  return { train, test };
}
