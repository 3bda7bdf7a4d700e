import { promotionTags } from '@prodclass/registry/contract/mlflow-tags';
import { expect, test } from 'vitest';
import { decisionOf, offlineEvidenceOf } from './promotion-approval.js';

test('the decision is read from the approval annotations; a rejection wins over an approval', () => {
  expect(decisionOf(undefined)).toBeUndefined();
  expect(decisionOf({ 'mlops.prodclass.dev/approved-by': ' ' })).toBeUndefined();
  expect(decisionOf({ 'mlops.prodclass.dev/approved-by': 'alice' })).toEqual({ approved: true, by: 'alice' });
  expect(
    decisionOf({ 'mlops.prodclass.dev/approved-by': 'alice', 'mlops.prodclass.dev/rejected-by': 'bob' }),
  ).toEqual({ approved: false, by: 'bob' });
});

test('the offline evidence keeps the tags that parse and drops the rest', () => {
  expect(offlineEvidenceOf({})).toBeUndefined();
  expect(
    offlineEvidenceOf({
      [promotionTags.decision]: 'promote',
      [promotionTags.challengerF1]: '0.81',
      [promotionTags.championVersion]: '4',
      [promotionTags.championF1]: 'not a number',
      [promotionTags.comparisonRows]: '2.5',
      [promotionTags.mcnemarMidP]: '0.01',
    }),
  ).toEqual({ decision: 'promote', candidateF1: 0.81, championVersion: '4', mcnemarMidP: 0.01 });
});
