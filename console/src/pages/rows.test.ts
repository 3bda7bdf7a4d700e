import type { ModelPromotion } from '@prodclass/api/resources';
import { expect, test } from 'vitest';
import { modelPromotionRow } from './rows.js';

test('a promotion in a Progressive rollout shows its step beside the phase', () => {
  const promotion = {
    apiVersion: 'mlops.prodclass.dev/v1alpha1',
    kind: 'ModelPromotion',
    metadata: { name: 'to-v8', resourceVersion: '7' },
    spec: { registeredModel: 'm', version: 8, alias: 'production', strategy: 'Progressive' },
    status: {
      phase: 'Progressing',
      rollout: {
        step: { name: 'canary', index: 1, shadowPercent: 0, canaryWeight: 10 },
        stepStartedAt: '2026-12-07T09:00:00Z',
        startedAt: '2026-12-07T08:50:00Z',
        championVersion: '7',
        candidateVersion: '8',
      },
    },
  } as ModelPromotion;
  expect(String(modelPromotionRow(promotion))).toContain(
    '<span class="phase phase-progressing">Progressing</span> canary 10%',
  );
});
