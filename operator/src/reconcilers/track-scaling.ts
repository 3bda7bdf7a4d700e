import { isNotFound } from '@prodclass/kube/api';
import { deploymentType, type KubeObject } from '@prodclass/kube/objects';
import type { Deployment } from '@prodclass/kube/workloads';
import {
  type Autoscaling,
  horizontalPodAutoscalerType,
  type TrackOwner,
  trackAutoscaler,
} from '../children/autoscaler.js';
import { podDisruptionBudgetType, trackDisruptionBudget } from '../children/disruption-budget.js';
import { deploymentName } from '../children/model-server.js';
import type { CachedKind } from '../manager/caches.js';
import { horizontalPodAutoscalers, podDisruptionBudgets } from '../manager/kinds.js';
import type { ReconcileContext } from '../manager/reconcile-context.js';

/**
 * Under an autoscaler, the replicas a track's Deployment is applied with: the count the autoscaler
 * last set (minReplicas for a new Deployment), read from the API server rather than the cache, and
 * the resourceVersion it was read at. Applied with that version as a precondition, a scale between
 * the read and the apply fails with a conflict (and the reconcile is retried) instead of being undone.
 */
export async function autoscaledReplicas(
  ctx: ReconcileContext,
  namespace: string,
  name: string,
  autoscaling: Autoscaling,
): Promise<{ replicas: number; resourceVersion?: string }> {
  const live = await ctx.api
    .request<Deployment>('GET', deploymentType.path(namespace, name))
    .catch((error: unknown) => {
      if (isNotFound(error)) return undefined;
      throw error;
    });
  return {
    replicas: live?.spec?.replicas ?? autoscaling.minReplicas,
    resourceVersion: live?.metadata.resourceVersion,
  };
}

/** `object` to apply only over `resourceVersion` (a 409 Conflict if it changed since), when given. */
export function appliedOver<T extends KubeObject>(object: T, resourceVersion: string | undefined): T {
  return resourceVersion ? { ...object, metadata: { ...object.metadata, resourceVersion } } : object;
}

/** Deletes a child the cache holds; one already gone is fine. */
async function deleteChild(
  ctx: ReconcileContext,
  kind: CachedKind<KubeObject>,
  namespace: string,
  name: string,
): Promise<void> {
  if (!ctx.caches.of(kind).get(namespace, name)) return;
  await ctx.api.delete(kind.type, namespace, name).catch((error: unknown) => {
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
  if (wanted?.autoscaling)
    await ctx.api.apply(
      horizontalPodAutoscalerType,
      namespace,
      name,
      trackAutoscaler(track, wanted.autoscaling),
    );
  else await deleteChild(ctx, horizontalPodAutoscalers, namespace, name);
  if (wanted?.disruptionBudget)
    await ctx.api.apply(podDisruptionBudgetType, namespace, name, trackDisruptionBudget(track));
  else await deleteChild(ctx, podDisruptionBudgets, namespace, name);
}
