import { isNotFound } from '@prodclass/kube/api';
import type { ConditionUpdate } from '@prodclass/kube/conditions';
import { controllerReference, deploymentType, keyOf, serviceType, splitKey } from '@prodclass/kube/objects';
import type { Deployment } from '@prodclass/kube/workloads';
import { highlyAvailable } from '../children/autoscaler.js';
import {
  deploymentName,
  predictionService,
  rolledOut,
  rolledOutScaled,
  type Track,
  trackDeployment,
  trackSelectorText,
} from '../children/model-server.js';
import type { Caches } from '../manager/caches.js';
import { describeController, watch } from '../manager/controller-description.js';
import {
  deployments,
  horizontalPodAutoscalers,
  modelPromotions,
  podDisruptionBudgets,
  predictionServices,
  services,
} from '../manager/kinds.js';
import type { ReconcileContext } from '../manager/reconcile-context.js';
import type { StatusWriter } from '../manager/status-writer.js';
import {
  type LiveQualityStatus,
  liveQualityDueAt,
  liveQualityStatus,
  type ServedTrack,
} from '../quality/live-quality-status.js';
import type {
  ModelPromotion,
  ModelSelector,
  PredictionService,
  PredictionServiceSpec,
  PredictionServiceStatus,
} from '../resources/types.js';
import { durationMs, selectorOf, validPredictionServiceSpec } from '../resources/validate.js';
import { appliedOver, applyTrackScaling, autoscaledReplicas } from './track-scaling.js';
import { validSpec } from './valid-spec.js';

type Resolution = { version: string } | { problem: ConditionUpdate };

async function resolve(ctx: ReconcileContext, model: string, selector: ModelSelector): Promise<Resolution> {
  if ('version' in selector) {
    const version = String(selector.version);
    if (await ctx.mlflow.versionExists(model, version)) return { version };
    const message = `${model} has no version ${version}`;
    return { problem: { type: 'ModelResolved', status: 'False', reason: 'VersionNotFound', message } };
  }
  const version = await ctx.mlflow.aliasVersion(model, selector.alias);
  if (version) return { version };
  const message = `${model}@${selector.alias} does not exist (yet)`;
  return { problem: { type: 'ModelResolved', status: 'False', reason: 'AliasNotFound', message } };
}

type ServiceWriter = StatusWriter<PredictionServiceStatus, PredictionService>;

const describe = (selector: ModelSelector) =>
  'version' in selector ? `v${selector.version}` : `@${selector.alias}`;

/** The version each track is to serve. */
interface Versions {
  primary: string;
  canary?: string;
}

/** The versions the tracks' aliases or versions name, or the first that does not resolve. */
async function resolveTracks(
  ctx: ReconcileContext,
  spec: PredictionServiceSpec,
): Promise<Versions | { problem: ConditionUpdate }> {
  const primary = await resolve(ctx, spec.registeredModel, selectorOf(spec));
  if ('problem' in primary) return primary;
  if (!spec.canary) return { primary: primary.version };
  const canary = await resolve(ctx, spec.registeredModel, selectorOf(spec.canary));
  return 'problem' in canary ? canary : { primary: primary.version, canary: canary.version };
}

interface Rollout {
  primary: Deployment;
  canary?: Deployment;
}

/** Server-side applies the Service and one Deployment per track; deletes a canary no longer asked for. */
async function applyTracks(
  ctx: ReconcileContext,
  service: PredictionService,
  spec: PredictionServiceSpec,
  versions: Versions,
): Promise<Rollout> {
  const { namespace = '', name } = service.metadata;
  const owner = controllerReference(service);
  await ctx.api.apply(serviceType, namespace, name, predictionService(name, namespace, owner));
  const applyTrack = async (track: Track, selector: ModelSelector, version: string, replicas: number) => {
    // Scaling (autoscaler, disruption budget, spread over nodes) is in track-scaling.ts and autoscaler.ts.
    const spread = highlyAvailable(replicas, spec.autoscaling);
    const scaled =
      spec.autoscaling &&
      (await autoscaledReplicas(ctx, namespace, deploymentName(name, track), spec.autoscaling));
    const deployment = await ctx.api.apply<Deployment>(
      deploymentType,
      namespace,
      deploymentName(name, track),
      appliedOver(
        trackDeployment(ctx.settings, {
          service: name,
          namespace,
          owner,
          track,
          registeredModel: spec.registeredModel,
          version,
          alias: 'alias' in selector ? selector.alias : undefined,
          replicas: scaled ? scaled.replicas : replicas,
          resources: spec.resources,
          spread,
        }),
        scaled?.resourceVersion,
      ),
    );
    await applyTrackScaling(
      ctx,
      { service: name, namespace, owner, track },
      { autoscaling: spec.autoscaling, disruptionBudget: spread },
    );
    return deployment;
  };
  const primary = await applyTrack('primary', selectorOf(spec), versions.primary, spec.replicas);
  if (spec.canary && versions.canary)
    return {
      primary,
      canary: await applyTrack('canary', selectorOf(spec.canary), versions.canary, spec.canary.replicas),
    };
  if (ctx.caches.of(deployments).get(namespace, deploymentName(name, 'canary')))
    await ctx.api
      .delete(deploymentType, namespace, deploymentName(name, 'canary'))
      .catch((error: unknown) => {
        if (!isNotFound(error)) throw error;
      });
  await applyTrackScaling(ctx, { service: name, namespace, owner, track: 'canary' }, undefined);
  return { primary };
}

/** A track's readiness condition. */
function trackCondition(type: string, version: string | undefined, ready: boolean): ConditionUpdate {
  return ready
    ? { type, status: 'True', reason: 'RolledOut', message: `v${version} is served` }
    : { type, status: 'False', reason: 'RollingOut', message: `rolling out v${version}` };
}

/** What is rolled out: which tracks are ready, and the conditions that say so. */
function rolloutStatus(spec: PredictionServiceSpec, versions: Versions, rollout: Rollout, url: string) {
  const ready = (deployment: Deployment, version: string, replicas: number) =>
    spec.autoscaling
      ? rolledOutScaled(deployment, version, spec.autoscaling.minReplicas)
      : rolledOut(deployment, version, replicas);
  const primaryReplicas = spec.autoscaling ? spec.autoscaling.minReplicas : spec.replicas;
  const primaryReady = primaryReplicas > 0 && ready(rollout.primary, versions.primary, primaryReplicas);
  const canaryReady =
    spec.canary && versions.canary && rollout.canary
      ? ready(rollout.canary, versions.canary, spec.canary.replicas)
      : undefined;
  const canary = spec.canary ? `, canary ${describe(selectorOf(spec.canary))} = v${versions.canary}` : '';
  const conditions: ConditionUpdate[] = [
    {
      type: 'ModelResolved',
      status: 'True',
      reason: 'Resolved',
      message: `primary ${describe(selectorOf(spec))} = v${versions.primary}${canary}`,
    },
    primaryReplicas === 0
      ? { type: 'PrimaryReady', status: 'False', reason: 'NoReplicas', message: 'replicas is 0' }
      : trackCondition('PrimaryReady', versions.primary, primaryReady),
  ];
  if (canaryReady !== undefined) conditions.push(trackCondition('CanaryReady', versions.canary, canaryReady));
  if (primaryReady && canaryReady !== false)
    conditions.push({
      type: 'Ready',
      status: 'True',
      reason: 'Ready',
      message: `serving v${versions.primary} at ${url}`,
    });
  else
    conditions.push({
      type: 'Ready',
      status: 'False',
      reason: primaryReady ? 'CanaryNotReady' : 'PrimaryNotReady',
      message: primaryReady
        ? `canary rolling out v${versions.canary}`
        : `primary rolling out v${versions.primary}`,
    });
  return { primaryReady, canaryReady, conditions };
}

/** The versions the tracks serve: the primary's rolled-out one, and the canary's once it is ready. */
function servedTracks(primary: string | undefined, canary: string | undefined): ServedTrack[] {
  return [
    ...(primary ? [{ track: 'primary' as const, modelVersion: primary }] : []),
    ...(canary ? [{ track: 'canary' as const, modelVersion: canary }] : []),
  ];
}

/** A requeue after the shortest of the waits, if there is any. */
function soonest(...waits: (number | undefined)[]): { requeueAfterMs: number } | undefined {
  const known = waits.filter((ms): ms is number => ms !== undefined);
  return known.length ? { requeueAfterMs: Math.min(...known) } : undefined;
}

/**
 * status.liveQuality of the versions the tracks serve: recomputed in PostgreSQL once it is due (every
 * liveQualityMs, or at once for another window or other versions), else the one there is. Also when
 * it is next due.
 */
async function observeLiveQuality(
  ctx: ReconcileContext,
  service: PredictionService,
  spec: PredictionServiceSpec,
  tracks: ServedTrack[],
): Promise<{ status?: LiveQualityStatus; dueInMs?: number }> {
  if (tracks.length === 0) return {};
  const previous = service.status?.liveQuality;
  const { window } = spec.liveQuality;
  const now = ctx.now();
  const dueAt = liveQualityDueAt(previous, window, tracks, ctx.settings.liveQualityMs);
  if (previous && dueAt > now) return { status: previous, dueInMs: dueAt.getTime() - now.getTime() };
  const windowMs = durationMs(window, 'spec.liveQuality.window');
  const report = await ctx.liveQuality.report({
    from: new Date(now.getTime() - windowMs),
    to: now,
    modelName: spec.registeredModel,
  });
  const withTestAccuracy = await Promise.all(
    tracks.map(async (track) => {
      const scores = await ctx.mlflow.offlineScoresOf(spec.registeredModel, track.modelVersion);
      return { ...track, testAccuracy: scores?.testAccuracy, calibrated: scores?.calibrated ?? false };
    }),
  );
  return {
    status: liveQualityStatus(report, window, withTestAccuracy, now),
    dueInMs: ctx.settings.liveQualityMs,
  };
}

/**
 * The PredictionServices, in any namespace (the registry is shared), with a track following the
 * alias a ModelPromotion has moved.
 */
function followersOf(promotion: ModelPromotion, caches: Caches): string[] {
  if (promotion.status?.phase !== 'Succeeded') return [];
  const { registeredModel, alias } = promotion.spec;
  return caches
    .of(predictionServices)
    .list()
    .filter(
      (service) =>
        service.spec.registeredModel === registeredModel &&
        [service.spec, service.spec.canary].some((track) => {
          if (!track) return false;
          const selector = selectorOf(track);
          return 'alias' in selector && selector.alias === alias;
        }),
    )
    .map(keyOf);
}

/**
 * PredictionService: resolves each track's alias or version in the registry, server-side applies
 * one Deployment per track and the Service, and reports what is served once a rollout is complete.
 * Tracks that follow an alias are looked at again every alias-poll interval, and at once when a
 * ModelPromotion moves their alias. Every live-quality interval it reports the served versions'
 * live quality (status.liveQuality and the prodclass_live_* metrics).
 */
export const predictionServiceController = describeController({
  for: predictionServices,
  owns: [deployments, services, horizontalPodAutoscalers, podDisruptionBudgets],
  watches: [watch(modelPromotions, followersOf)],
  gone: (ctx, key) => ctx.metrics.setLiveQuality(splitKey(key)),
  async reconcile(ctx, writer: ServiceWriter, log) {
    const service = writer.object;
    const { namespace = '', name } = service.metadata;
    const status = service.status ?? {};
    const url = `http://${name}.${namespace}.svc.cluster.local`;
    writer.set({ url });

    const spec = await validSpec(service.spec, validPredictionServiceSpec, (message) =>
      writer.condition({ type: 'Ready', status: 'False', reason: 'InvalidSpec', message }).write(),
    );
    if (!spec) return undefined;
    const versions = await resolveTracks(ctx, spec);
    if ('problem' in versions) {
      const { reason, message } = versions.problem;
      await writer.condition(versions.problem, { type: 'Ready', status: 'False', reason, message }).write();
      return { requeueAfterMs: ctx.settings.aliasPollMs };
    }

    const rollout = await applyTracks(ctx, service, spec, versions);
    const { primaryReady, canaryReady, conditions } = rolloutStatus(spec, versions, rollout, url);
    const servedVersion = primaryReady ? versions.primary : status.servedVersion;
    if (canaryReady === undefined) writer.dropCondition('CanaryReady');
    const tracks = servedTracks(servedVersion, canaryReady ? versions.canary : undefined);
    // What is served must not wait on PostgreSQL: a failed computation keeps the last one and retries.
    const liveQuality = await observeLiveQuality(ctx, service, spec, tracks).catch((error: unknown) => {
      log.warn('live quality not computed', { error: (error as Error).message });
      return { status: status.liveQuality, dueInMs: ctx.settings.liveQualityMs };
    });
    const changed = await writer
      .set({
        servedVersion,
        canaryVersion: canaryReady ? versions.canary : undefined,
        liveQuality: liveQuality.status,
        readyReplicas:
          (rollout.primary.status?.readyReplicas ?? 0) + (rollout.canary?.status?.readyReplicas ?? 0),
        replicas: rollout.primary.status?.replicas ?? 0,
        selector: trackSelectorText(name, 'primary'),
      })
      .condition(...conditions)
      .write();
    if (changed && servedVersion !== status.servedVersion && servedVersion) {
      log.info('rolled out', { version: servedVersion, previous: status.servedVersion });
      ctx.events.record(
        service,
        'Normal',
        'RolledOut',
        `now serving ${spec.registeredModel} v${servedVersion}${status.servedVersion ? ` (was v${status.servedVersion})` : ''}`,
      );
    }
    ctx.metrics.setLiveQuality({ namespace, name }, liveQuality.status?.versions);
    const followsAlias = [spec, spec.canary].some((track) => track && 'alias' in selectorOf(track));
    return soonest(followsAlias ? ctx.settings.aliasPollMs : undefined, liveQuality.dueInMs);
  },
});
