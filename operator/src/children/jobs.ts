import { containerResources } from '@prodclass/api';
import type { OwnerReference } from '@prodclass/kube/objects';
import type { Job, Pod } from '@prodclass/kube/workloads';
import { terminationMessagePath } from '@prodclass/registry/contract/job-result';
import type { ResourceRequirements } from '../resources/types.js';
import { managedLabels } from './names.js';
import { restrictedContainer, restrictedPod } from './security.js';

/** How the pipeline's Jobs and model servers reach PostgreSQL and MLflow. */
export interface PipelineSettings {
  trainerImage: string;
  modelServerImage: string;
  /** Secret in the resource's namespace with DATABASE_URL and MLFLOW_TRACKING_URI. */
  pipelineSecret: string;
  /** Size of each model server's inference-log spool (an emptyDir), in MiB. */
  modelServerSpoolMebibytes: number;
}

export interface CliJob {
  name: string;
  namespace: string;
  owner: OwnerReference;
  component: 'data-load' | 'training' | 'impact-preview';
  /** What the operator needs to know about the Job before it ends. */
  annotations?: Record<string, string>;
  /** Arguments of the trainer image's `prodclass` command. */
  args: string[];
  backoffLimit: number;
  activeDeadlineSeconds?: number;
  resources?: ResourceRequirements;
}

const cliContainer = 'prodclass';

/** A Job running one `prodclass` command of the trainer image, owned by the resource that wants it. */
export function cliJob(settings: PipelineSettings, job: CliJob): Job {
  const labels = managedLabels(job.component, job.owner.name);
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: job.name,
      namespace: job.namespace,
      labels,
      annotations: job.annotations,
      ownerReferences: [job.owner],
    },
    spec: {
      backoffLimit: job.backoffLimit,
      activeDeadlineSeconds: job.activeDeadlineSeconds,
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: 'Never',
          ...restrictedPod,
          containers: [
            {
              ...restrictedContainer,
              name: cliContainer,
              image: settings.trainerImage,
              command: ['prodclass'],
              args: job.args,
              envFrom: [{ secretRef: { name: settings.pipelineSecret } }],
              resources: containerResources(job.resources),
              // The command's result (job-result.ts) is the termination message; a failure's is the log tail.
              terminationMessagePath,
              terminationMessagePolicy: 'FallbackToLogsOnError',
            },
          ],
        },
      },
    },
  };
}

export type JobState =
  | { state: 'pending' | 'running' }
  | { state: 'complete'; completionTime?: string }
  | { state: 'failed'; reason: string; message: string };

/** Where a Job is, from the conditions the Job controller (or the local runner) writes. */
export function jobState(job: Job): JobState {
  const conditions = job.status?.conditions ?? [];
  if (conditions.some((c) => c.type === 'Complete' && c.status === 'True'))
    return { state: 'complete', completionTime: job.status?.completionTime };
  const failed = conditions.find((c) => c.type === 'Failed' && c.status === 'True');
  if (failed)
    return {
      state: 'failed',
      reason: failed.reason ?? 'JobFailed',
      message: failed.message ?? `Job ${job.metadata.name} failed`,
    };
  return { state: (job.status?.active ?? 0) > 0 ? 'running' : 'pending' };
}

/**
 * The termination message of the Job's Pod whose `prodclass` container exited 0: what the command
 * wrote as its result. Undefined when no Pod of the Job succeeded or its message is empty.
 */
export function succeededPodMessage(pods: readonly Pod[]): string | undefined {
  for (const pod of pods) {
    if (pod.status?.phase !== 'Succeeded') continue;
    const terminated = pod.status.containerStatuses?.find((c) => c.name === cliContainer)?.state?.terminated;
    if (terminated?.exitCode === 0 && terminated.message) return terminated.message;
  }
  return undefined;
}
