import { createHash } from 'node:crypto';
import { splitMethods } from '@prodclass/registry/contract/split';
import { productHashPosition } from '@prodclass/textmodel/sampling/productid-split';
import { expect, test } from 'vitest';
import {
  type FeedbackRow,
  feedbackFingerprint,
  feedbackSetLines,
  parseFeedbackSet,
  withoutHeldOutProducts,
} from './feedback-set.js';

const split = { method: splitMethods.productIdHash, testSize: 0.2, key: 'prodclass' } as const;
const held = (productid: number) => productHashPosition(productid, split.key) < split.testSize;
const ids = Array.from({ length: 200 }, (_, index) => 5_000_000 + index);
const newHeldOut = ids.find(held) as number;
const newTrainSide = ids.find((id) => !held(id)) as number;

const row = (predictionId: string, productid: number | null): FeedbackRow => ({
  predictionId,
  productid,
  prdtypecode: 2905,
  designation: 'zorblax "kit"\n',
  description: productid === null ? null : 'é ✓',
  labeledAt: '2026-12-07T10:00:00.123456Z',
});

test('held-out products are dropped: those the snapshot holds out, and new ones hashed below the test size', () => {
  const catalogRow = (productid: number) => ({
    productid,
    prdtypecode: 10,
    designation: 'x',
    description: null,
  });
  // A catalog product on the test side although its hash says train (a tiny class's exception) is held out.
  const movedToTest = ids.filter((id) => !held(id))[1] as number;
  const catalog = { rows: [catalogRow(movedToTest)], test: [catalogRow(movedToTest)] };
  const rows = [row('a', newHeldOut), row('b', newTrainSide), row('c', movedToTest), row('d', null)];
  const { kept, heldOut } = withoutHeldOutProducts(rows, catalog, split);
  expect(kept.map((r) => r.predictionId)).toEqual(['b', 'd']);
  expect(heldOut).toBe(2);
});

test('a catalog product on the training side stays, whatever its hash says', () => {
  const catalog = {
    rows: [{ productid: newHeldOut, prdtypecode: 10, designation: 'x', description: null }],
    test: [],
  };
  expect(withoutHeldOutProducts([row('a', newHeldOut)], catalog, split).kept).toHaveLength(1);
});

test('the feedback set lines round-trip, and their SHA-256 is the fingerprint', () => {
  const rows = [row('a', newTrainSide), row('d', null)];
  const lines = feedbackSetLines(rows);
  expect(lines.split('\n')).toHaveLength(3);
  expect(parseFeedbackSet(lines, 'test')).toEqual(rows);
  expect(feedbackFingerprint(lines)).toBe(createHash('sha256').update(lines).digest('hex'));
  expect(feedbackSetLines([])).toBe('');
  expect(parseFeedbackSet('', 'test')).toEqual([]);
  expect(() => parseFeedbackSet('[1,2]\n', 'the set')).toThrow(/the set: line 1/);
});
