import type { ModelPromotion } from '@prodclass/api/resources';
import { expect, test } from 'vitest';
import { impactMatrix, impactPreviews } from './impact-matrix.js';

const promotion = (
  impactPreview?: NonNullable<ModelPromotion['status']>['impactPreview'],
): ModelPromotion => ({
  apiVersion: 'mlops.prodclass.dev/v1alpha1',
  kind: 'ModelPromotion',
  metadata: { name: 'to-v2' },
  spec: { registeredModel: 'm', version: 2, alias: 'production', impactPreview: true },
  status: impactPreview ? { impactPreview } : {},
});

const recorded = {
  jobName: 'to-v2-impact',
  championVersion: '1',
  candidateVersion: '2',
  dataVersion: 'week_3',
  products: 1000,
  changed: 125,
  changedShare: 0.125,
  flips: [
    { from: 10, to: 40, count: 100 },
    { from: 2583, to: 40, count: 20 },
    { from: 10, to: 1560, count: 5 },
  ],
};

test('rows are the champion’s classes, columns the candidate’s, cells the products that flip', () => {
  const table = String(impactMatrix(promotion(recorded)));
  expect(table).toContain('12.5% of 1000 products of week_3 would change class (v1 → v2)');
  const rows = table.split('<tr>').slice(2);
  expect(rows).toHaveLength(2);
  expect(rows[0]).toMatch(
    /^<th scope="row">[^<]+\(10\)<\/th><td class="num">100<\/td><td class="num">5<\/td><\/tr>/,
  );
  expect(rows[1]).toMatch(
    /^<th scope="row">[^<]+\(2583\)<\/th><td class="num">20<\/td><td class="num"><\/td><\/tr>/,
  );
  expect(table.match(/<th scope="col" class="num">/g)).toHaveLength(2);
});

test('no recorded preview, no matrix; a preview without flips says so', () => {
  expect(impactMatrix(promotion())).toBeUndefined();
  expect(impactMatrix(promotion({ jobName: 'to-v2-impact' }))).toBeUndefined();
  expect(String(impactPreviews([promotion()]))).toBe('');
  expect(String(impactMatrix(promotion({ ...recorded, changed: 0, changedShare: 0, flips: [] })))).toContain(
    'No product changes class.',
  );
});
