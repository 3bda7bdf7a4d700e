import { isNotFound } from '@prodclass/kube/api';
import type { Informer } from '@prodclass/kube/informer';
import { deploymentType, type KubeObject, type ResourceType } from '@prodclass/kube/objects';
import type { Deployment } from '@prodclass/kube/workloads';
import {
  type Autoscaling,
  horizontalPodAutoscalerType,
  type TrackOwner,
  trackAutoscaler,
} from '../children/autoscaler.js';
import { podDisruptionBudgetType, trackDisruptionBudget } from '../children/disruption-budget.js';
import { deploymentName } from '../children/model-server.js';
import type { ReconcileContext } from './context.js';

/**
 * The replicas a track's Deployment is applied with: its own count, or under an autoscaler the
 * count the autoscaler last set (minReplicas for a new Deployment), read from the API server and not
 * the cache, so that a reconcile right after the autoscaler scaled does not undo it.
 */
export async function trackReplicas(
  ctx: ReconcileContext,
  namespace: string,
  name: string,
  replicas: number,
  autoscaling: Autoscaling | undefined,
): Promise<number> {
  if (!autoscaling) return replicas;
  const live = await ctx.api
    .request<Deployment>('GET', deploymentType.path(namespace, name))
    .catch((error: unknown) => {
      if (isNotFound(error)) return undefined;
      throw error;
    });
  return live?.spec?.replicas ?? autoscaling.minReplicas;
}

/** Deletes a child the cache holds; one already gone is fine. */
async function deleteChild(
  ctx: ReconcileContext,
  type: ResourceType,
  cache: Informer<KubeObject>,
  namespace: string,
  name: string,
): Promise<void> {
  if (!cache.get(namespace, name)) return;
  await ctx.api.delete(type, namespace, name).catch((error: unknown) => {
    if (!isNotFound(error)) throw error;
  });
}

/**
 * A track's HorizontalPodAutoscaler (when it autoscales) and PodDisruptionBudget (when it always runs
 * two or more pods): server-side applied when asked for, deleted when not (or when the track goes).
 */
export async function applyTrackScaling(
  ctx: ReconcileContext,
  track: TrackOwner,
  wanted: { autoscaling?: Autoscaling; disruptionBudget: boolean } | undefined,
): Promise<void> {
  const { namespace } = track;
  const name = deploymentName(track.service, track.track);
  const { horizontalPodAutoscalers, podDisruptionBudgets } = ctx.caches;
  if (wanted?.autoscaling)
    await ctx.api.apply(
      horizontalPodAutoscalerType,
      namespace,
      name,
      trackAutoscaler(track, wanted.autoscaling),
    );
  else await deleteChild(ctx, horizontalPodAutoscalerType, horizontalPodAutoscalers, namespace, name);
  if (wanted?.disruptionBudget)
    await ctx.api.apply(podDisruptionBudgetType, namespace, name, trackDisruptionBudget(track));
  else await deleteChild(ctx, podDisruptionBudgetType, podDisruptionBudgets, namespace, name);
}
