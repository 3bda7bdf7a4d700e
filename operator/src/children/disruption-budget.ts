import type { V1PodDisruptionBudgetSpec } from '@kubernetes/client-node';
import { type KubeObject, resourceType } from '@prodclass/kube/objects';
import type { TrackOwner } from './autoscaler.js';
import { deploymentName, trackLabels, trackSelector } from './model-server.js';

export const podDisruptionBudgetType = resourceType(
  'policy/v1',
  'PodDisruptionBudget',
  'poddisruptionbudgets',
);

export interface PodDisruptionBudget extends KubeObject {
  spec?: V1PodDisruptionBudgetSpec;
}

/** One track's PodDisruptionBudget: a drain evicts its pods one at a time, waiting for each to be replaced. */
export function trackDisruptionBudget(track: TrackOwner): PodDisruptionBudget {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: {
      name: deploymentName(track.service, track.track),
      namespace: track.namespace,
      labels: trackLabels(track.service, track.track),
      ownerReferences: [track.owner],
    },
    spec: { maxUnavailable: 1, selector: { matchLabels: trackSelector(track.service, track.track) } },
  };
}
