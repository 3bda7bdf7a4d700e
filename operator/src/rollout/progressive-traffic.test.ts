import { expect, test } from 'vitest';
import type { ModelPromotion } from '../resources/types.js';
import { validPredictionServiceSpec } from '../resources/validate.js';
import { activeRolloutOf, drivenTraffic } from './progressive-traffic.js';

function promotion(
  name: string,
  phase: string,
  startedAt: string,
  overrides: Partial<ModelPromotion['spec']> = {},
): ModelPromotion {
  return {
    apiVersion: 'mlops.prodclass.dev/v1alpha1',
    kind: 'ModelPromotion',
    metadata: { name, namespace: 'ml' },
    spec: {
      registeredModel: 'rakuten_classifier',
      alias: 'production',
      version: 8,
      approval: 'NotRequired',
      impactPreview: false,
      strategy: 'Progressive',
      progressive: { faultInjection: { candidateDelay: '750ms' } },
      ...overrides,
    } as ModelPromotion['spec'],
    status: {
      phase: phase as 'Progressing',
      rollout: {
        step: { name: 'canary', index: 1, shadowPercent: 0, canaryWeight: 10 },
        stepStartedAt: startedAt,
        startedAt,
        championVersion: '7',
        candidateVersion: '8',
      },
    },
  };
}

test('a service following the alias takes the running rollout’s step as its traffic, with the drill’s delay', () => {
  const driven = drivenTraffic(validPredictionServiceSpec({}), [
    promotion('to-v8', 'Progressing', '2026-12-07T09:00:00Z'),
  ]);
  expect(driven).toEqual({
    traffic: { candidate: { version: 8 }, canaryWeight: 10, shadowPercent: 0 },
    candidateDelayMs: 750,
    rollout: {
      modelPromotion: 'to-v8',
      step: 'canary',
      candidateVersion: '8',
      canaryWeight: 10,
      shadowPercent: 0,
    },
  });
});

test('no traffic from a rollout that ended, a Direct promotion, another alias, or for a service with its own traffic, canary or version', () => {
  const running = promotion('to-v8', 'Progressing', '2026-12-07T09:00:00Z');
  for (const ended of ['Succeeded', 'Failed', 'Pending'])
    expect(
      drivenTraffic(validPredictionServiceSpec({}), [promotion('p', ended, '2026-12-07T09:00:00Z')]),
    ).toBeUndefined();
  expect(
    drivenTraffic(validPredictionServiceSpec({}), [
      promotion('d', 'Progressing', '2026-12-07T09:00:00Z', { strategy: 'Direct' }),
    ]),
  ).toBeUndefined();
  for (const spec of [
    { alias: 'staging' },
    { version: 7 },
    { canary: { version: 9 } },
    { traffic: { candidate: { version: 9 }, canaryWeight: 5 } },
  ])
    expect(drivenTraffic(validPredictionServiceSpec(spec), [running])).toBeUndefined();
});

test('of two running rollouts of one alias, the one that started first drives the services', () => {
  const first = promotion('first', 'AwaitingApproval', '2026-12-07T09:00:00Z');
  const second = promotion('second', 'Progressing', '2026-12-07T09:05:00Z');
  expect(
    activeRolloutOf([second, first], { registeredModel: 'rakuten_classifier', alias: 'production' }),
  ).toBe(first);
});
