import { expect, test } from 'vitest';
import { highlyAvailable, trackAutoscaler } from './autoscaler.js';

const track = {
  service: 'classifier',
  namespace: 'ml',
  owner: {
    apiVersion: 'mlops.prodclass.dev/v1alpha1',
    kind: 'PredictionService',
    name: 'classifier',
    uid: 'u',
  },
  track: 'canary' as const,
};

test("both targets become two metrics of the track's HPA, which scales the track's Deployment", () => {
  const autoscaler = trackAutoscaler(track, {
    minReplicas: 1,
    maxReplicas: 4,
    targetCPUUtilization: 60,
    targetRequestsPerSecond: 250,
  });
  expect(autoscaler.metadata.name).toBe('classifier-canary');
  expect(autoscaler.spec?.scaleTargetRef).toEqual({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    name: 'classifier-canary',
  });
  expect(autoscaler.spec?.metrics?.map((metric) => metric.type)).toEqual(['Resource', 'Pods']);
  expect(autoscaler.spec?.metrics?.[1]?.pods?.target).toEqual({ type: 'AverageValue', averageValue: '250' });
});

test('a track is highly available with two replicas, or under an autoscaler with minReplicas two', () => {
  expect(highlyAvailable(1, undefined)).toBe(false);
  expect(highlyAvailable(2, undefined)).toBe(true);
  expect(highlyAvailable(5, { minReplicas: 1, maxReplicas: 5, targetCPUUtilization: 50 })).toBe(false);
  expect(highlyAvailable(1, { minReplicas: 2, maxReplicas: 5, targetCPUUtilization: 50 })).toBe(true);
});
