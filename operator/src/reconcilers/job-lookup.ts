import { isAlreadyExists, isNotFound } from '@prodclass/kube/api';
import { jobType } from '@prodclass/kube/objects';
import type { Job } from '@prodclass/kube/workloads';
import type { ReconcileContext } from './context.js';

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
  const cached = ctx.caches.jobs.get(namespace, name);
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
