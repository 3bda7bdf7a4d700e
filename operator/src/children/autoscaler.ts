import type { V2HorizontalPodAutoscalerSpec, V2MetricSpec } from '@kubernetes/client-node';
import { requestsPerSecondMetric } from '@prodclass/api';
import { type KubeObject, type OwnerReference, resourceType } from '@prodclass/kube/objects';
import type { PredictionServiceSpec } from '../resources/types.js';
import { deploymentName, type Track, trackLabels } from './model-server.js';

export type Autoscaling = NonNullable<PredictionServiceSpec['autoscaling']>;

export const horizontalPodAutoscalerType = resourceType(
  'autoscaling/v2',
  'HorizontalPodAutoscaler',
  'horizontalpodautoscalers',
);

export interface HorizontalPodAutoscaler extends KubeObject {
  spec?: V2HorizontalPodAutoscalerSpec;
}

export interface TrackOwner {
  service: string;
  namespace: string;
  owner: OwnerReference;
  track: Track;
}

/** Whether a track runs two or more pods at all times, so it can spread over nodes and survive a drain. */
export function highlyAvailable(replicas: number, autoscaling: Autoscaling | undefined): boolean {
  return (autoscaling?.minReplicas ?? replicas) >= 2;
}

function metrics(autoscaling: Autoscaling): V2MetricSpec[] {
  const cpu: V2MetricSpec[] =
    autoscaling.targetCPUUtilization === undefined
      ? []
      : [
          {
            type: 'Resource',
            resource: {
              name: 'cpu',
              target: { type: 'Utilization', averageUtilization: autoscaling.targetCPUUtilization },
            },
          },
        ];
  const requests: V2MetricSpec[] =
    autoscaling.targetRequestsPerSecond === undefined
      ? []
      : [
          {
            type: 'Pods',
            pods: {
              metric: { name: requestsPerSecondMetric },
              target: { type: 'AverageValue', averageValue: String(autoscaling.targetRequestsPerSecond) },
            },
          },
        ];
  return [...cpu, ...requests];
}

/** One track's HorizontalPodAutoscaler, scaling the track's Deployment. */
export function trackAutoscaler(track: TrackOwner, autoscaling: Autoscaling): HorizontalPodAutoscaler {
  const name = deploymentName(track.service, track.track);
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: {
      name,
      namespace: track.namespace,
      labels: trackLabels(track.service, track.track),
      ownerReferences: [track.owner],
    },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
      minReplicas: autoscaling.minReplicas,
      maxReplicas: autoscaling.maxReplicas,
      metrics: metrics(autoscaling),
    },
  };
}
