import { expect, test } from 'vitest';
import { parseLearnedTerms } from './learned-terms.js';

const entry = {
  prdtypecode: 2583,
  category: 'Piscine et accessoires',
  intercept: -0.4,
  positive: [{ feature: 'piscine', weight: 2.1 }],
  negative: [{ feature: 'livre', weight: -0.7 }],
};

test('the classes of a learned_terms.json as training writes it', () => {
  expect(parseLearnedTerms(JSON.stringify({ terms_per_class: 10, classes: [entry] }))).toEqual([entry]);
  expect(parseLearnedTerms(JSON.stringify({ classes: [{ ...entry, category: null }] }))?.[0]?.category).toBe(
    null,
  );
});

test('anything else is refused, not half-read', () => {
  expect(parseLearnedTerms('not json')).toBeUndefined();
  expect(parseLearnedTerms('null')).toBeUndefined();
  expect(
    parseLearnedTerms(JSON.stringify({ classes: [{ ...entry, positive: [{ feature: 'x' }] }] })),
  ).toBeUndefined();
  expect(parseLearnedTerms(JSON.stringify({ classes: [{ ...entry, prdtypecode: '2583' }] }))).toBeUndefined();
});
