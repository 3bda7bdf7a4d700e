import type { V1DeploymentSpec, V1JobSpec } from '@kubernetes/client-node';
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
