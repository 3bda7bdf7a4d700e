import type { V1DeploymentSpec, V1JobSpec, V1PodSpec } from '@kubernetes/client-node';
import type { KubeObject } from './objects.js';

// Only the spec types come from @kubernetes/client-node (a devDependency): nothing loads it at run time.

export interface Job extends KubeObject {
  spec?: V1JobSpec;
  status?: {
    active?: number;
    succeeded?: number;
    failed?: number;
    startTime?: string;
    completionTime?: string;
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
  };
}

export interface Deployment extends KubeObject {
  spec?: V1DeploymentSpec;
  status?: {
    observedGeneration?: number;
    replicas?: number;
    updatedReplicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
  };
}

/** A container's state as the kubelet reports it; `terminated.message` is its termination message. */
export interface ContainerState {
  waiting?: { reason?: string; message?: string };
  running?: { startedAt?: string };
  terminated?: {
    exitCode: number;
    reason?: string;
    message?: string;
    startedAt?: string;
    finishedAt?: string;
  };
}

export interface ContainerStatus {
  name: string;
  image: string;
  imageID: string;
  ready: boolean;
  restartCount: number;
  started?: boolean;
  state?: ContainerState;
}

export interface Pod extends KubeObject {
  spec?: V1PodSpec;
  status?: {
    phase?: 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';
    startTime?: string;
    containerStatuses?: ContainerStatus[];
  };
}
