import { isAlreadyExists, isNotFound, type ObjectList } from '@prodclass/kube/api';
import { jobPodLabels } from '@prodclass/kube/labels';
import { jobType, podType } from '@prodclass/kube/objects';
import type { Job, Pod } from '@prodclass/kube/workloads';
import {
  type ImpactResult,
  type LoadResult,
  parseJobResult,
  type TrainResult,
} from '@prodclass/registry/contract/job-result';
import { succeededPodMessage } from '../children/jobs.js';
import { jobs } from '../manager/kinds.js';
import type { ReconcileContext } from '../manager/reconcile-context.js';

/**
 * The child Job from the cache, or, when the cache has none but the status says one was created,
 * straight from the API server (the cache may just be behind). Undefined only if it is really gone.
 */
export async function findJob(
  ctx: ReconcileContext,
  namespace: string,
  name: string,
  recorded: boolean,
): Promise<Job | undefined> {
  const cached = ctx.caches.of(jobs).get(namespace, name);
  if (cached || !recorded) return cached;
  try {
    return await ctx.api.request<Job>('GET', jobType.path(namespace, name));
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** Creates the Job unless it exists already: with deterministic names the Job itself is the lock. */
export async function createJob(ctx: ReconcileContext, job: Job): Promise<'created' | 'existed'> {
  try {
    await ctx.api.create(jobType, job.metadata.namespace ?? '', job);
    return 'created';
  } catch (error) {
    if (isAlreadyExists(error)) return 'existed';
    throw error;
  }
}

export type JobResultLookup<R> =
  | { found: true; result: R }
  | { found: false; reason: string; message: string };

/**
 * What a completed Job's command reported: the termination message of its succeeded Pod (found by
 * the Job's uid, as the Job controller labels its Pods), parsed by the shared contract.
 */
export async function readJobResult(
  ctx: ReconcileContext,
  job: Job,
  kind: 'load',
): Promise<JobResultLookup<LoadResult>>;
export async function readJobResult(
  ctx: ReconcileContext,
  job: Job,
  kind: 'train',
): Promise<JobResultLookup<TrainResult>>;
export async function readJobResult(
  ctx: ReconcileContext,
  job: Job,
  kind: 'impact',
): Promise<JobResultLookup<ImpactResult>>;
export async function readJobResult(
  ctx: ReconcileContext,
  job: Job,
  kind: 'load' | 'train' | 'impact',
): Promise<JobResultLookup<LoadResult | TrainResult | ImpactResult>> {
  const { namespace = '', name, uid = '' } = job.metadata;
  const pods = await ctx.api.request<ObjectList<Pod>>('GET', podType.path(namespace), {
    query: { labelSelector: `${jobPodLabels.controllerUid}=${uid}` },
  });
  const message = succeededPodMessage(pods.items);
  if (!message)
    return {
      found: false,
      reason: 'NoJobResult',
      message: `Job ${name} completed but none of its Pods has a termination message with the ${kind} result`,
    };
  try {
    return {
      found: true,
      result:
        kind === 'load'
          ? parseJobResult(message, 'load')
          : kind === 'train'
            ? parseJobResult(message, 'train')
            : parseJobResult(message, 'impact'),
    };
  } catch (error) {
    return { found: false, reason: 'InvalidJobResult', message: `Job ${name}: ${(error as Error).message}` };
  }
}
