import { describe, expect, test } from 'vitest';
import { productHashPosition, productIdSplit } from './productid-split.js';
import { SeededRandom } from './random.js';

/** Products with distinct ids and the given class shares, in a seeded order. */
function products(count: number, seed: number, classes = [10, 40, 50, 2583]) {
  const random = new SeededRandom(seed);
  const ids = new Set<number>();
  while (ids.size < count) ids.add(random.nextUint32());
  return [...ids].map((productid, index) => ({
    productid,
    prdtypecode: classes[index % classes.length] as number,
  }));
}

const idsOf = (rows: readonly { productid: number }[], indices: readonly number[]) =>
  new Set(indices.map((index) => (rows[index] as { productid: number }).productid));

describe('productIdSplit', () => {
  test('a product keeps its side as the catalog grows, whatever the row order', () => {
    const all = products(6000, 1);
    const early = all.slice(0, 2400);
    const grown = [...all].reverse();
    const before = productIdSplit(early, 0.2, 'k');
    const after = productIdSplit(grown, 0.2, 'k');
    const heldLater = idsOf(grown, after.test);
    const trainedLater = idsOf(grown, after.train);
    for (const id of idsOf(early, before.test)) expect(heldLater.has(id)).toBe(true);
    for (const id of idsOf(early, before.train)) expect(trainedLater.has(id)).toBe(true);
  });

  test('each class is held out at about the test size, and new products as often as old ones', () => {
    const all = products(20_000, 2);
    const { test: held } = productIdSplit(all, 0.2, 'k');
    const heldIds = idsOf(all, held);
    for (const code of [10, 40, 50, 2583]) {
      const members = all.filter((row) => row.prdtypecode === code);
      const share = members.filter((row) => heldIds.has(row.productid)).length / members.length;
      // 5,000 rows per class: the binomial standard deviation of the share is 0.0057.
      expect(Math.abs(share - 0.2)).toBeLessThan(0.025);
    }
    const newer = all.slice(10_000);
    const newerShare = newer.filter((row) => heldIds.has(row.productid)).length / newer.length;
    expect(Math.abs(newerShare - 0.2)).toBeLessThan(0.02);
  });

  test('the key decides the sides; the same key always gives the same split', () => {
    const all = products(2000, 3);
    expect(productIdSplit(all, 0.2, 'k')).toEqual(productIdSplit(all, 0.2, 'k'));
    expect(productIdSplit(all, 0.2, 'other').test).not.toEqual(productIdSplit(all, 0.2, 'k').test);
    expect(productHashPosition(123, 'k')).toBe(productHashPosition(123, 'k'));
    expect(productHashPosition(123, 'k')).not.toBe(productHashPosition(123, 'other'));
  });

  test('a larger test size holds out a superset of a smaller one', () => {
    const all = products(3000, 4);
    const small = idsOf(all, productIdSplit(all, 0.1, 'k').test);
    const large = idsOf(all, productIdSplit(all, 0.3, 'k').test);
    for (const id of small) expect(large.has(id)).toBe(true);
  });

  test('a class with two rows or more keeps a row on each side; indices are sorted and disjoint', () => {
    // Ids chosen so that both rows of each class hash to the same side.
    const key = 'k';
    const side = (id: number) => productHashPosition(id, key) < 0.2;
    const lowIds: number[] = [];
    const highIds: number[] = [];
    for (let id = 1; lowIds.length < 2 || highIds.length < 3; id++) (side(id) ? lowIds : highIds).push(id);
    const rows = [
      { productid: lowIds[0] as number, prdtypecode: 1 },
      { productid: lowIds[1] as number, prdtypecode: 1 },
      { productid: highIds[0] as number, prdtypecode: 2 },
      { productid: highIds[1] as number, prdtypecode: 2 },
      { productid: highIds[2] as number, prdtypecode: 3 },
    ];
    const { train, test: held } = productIdSplit(rows, 0.2, key);
    expect(held.filter((index) => rows[index]?.prdtypecode === 1)).toHaveLength(1);
    expect(held.filter((index) => rows[index]?.prdtypecode === 2)).toHaveLength(1);
    expect(train).toContain(4);
    expect([...train, ...held].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4]);
    expect(train).toEqual([...train].sort((a, b) => a - b));
    expect(held).toEqual([...held].sort((a, b) => a - b));
  });

  test('refuses a bad test size or an empty key', () => {
    expect(() => productIdSplit([], 0, 'k')).toThrow('test size must be between 0 and 1');
    expect(() => productIdSplit([], 0.2, '')).toThrow('split key');
  });
});
