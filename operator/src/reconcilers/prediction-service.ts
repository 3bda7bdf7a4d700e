import { isNotFound } from '@prodclass/kube/api';
import type { ConditionUpdate } from '@prodclass/kube/conditions';
import {
  controllerReference,
  deploymentType,
  keyOf,
  resourceType,
  serviceType,
  splitKey,
} from '@prodclass/kube/objects';
import type { Deployment } from '@prodclass/kube/workloads';
import { highlyAvailable } from '../children/autoscaler.js';
import {
  type CandidateTraffic,
  candidateService,
  candidateServiceName,
  deploymentName,
  predictionService,
  rolledOut,
  rolledOutScaled,
  type Track,
  trackDeployment,
  trackSelectorText,
  weightedRoute,
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
import { type DrivenTraffic, drivenTraffic } from '../rollout/progressive-traffic.js';
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

const httpRouteType = resourceType('gateway.networking.k8s.io/v1', 'HTTPRoute', 'httproutes');

/** The version each track is to serve, and spec.traffic's candidate. */
interface Versions {
  primary: string;
  canary?: string;
  candidate?: string;
}

/** The canary track: spec.canary's, or spec.traffic's candidate when an HTTPRoute splits traffic. */
function canaryTrackOf(
  spec: PredictionServiceSpec,
): { selector: ModelSelector; replicas: number } | undefined {
  if (spec.canary) return { selector: selectorOf(spec.canary), replicas: spec.canary.replicas };
  const gateway = spec.traffic?.gateway;
  if (spec.traffic && gateway) {
    return { selector: selectorOf(spec.traffic.candidate), replicas: gateway.candidateReplicas };
  }
  return undefined;
}

/** The versions the tracks' aliases or versions name, or the first that does not resolve. */
async function resolveTracks(
  ctx: ReconcileContext,
  spec: PredictionServiceSpec,
): Promise<Versions | { problem: ConditionUpdate }> {
  const primary = await resolve(ctx, spec.registeredModel, selectorOf(spec));
  if ('problem' in primary) return primary;
  if (spec.traffic) {
    const candidate = await resolve(ctx, spec.registeredModel, selectorOf(spec.traffic.candidate));
    if ('problem' in candidate) return candidate;
    return {
      primary: primary.version,
      candidate: candidate.version,
      ...(spec.traffic.gateway ? { canary: candidate.version } : {}),
    };
  }
  if (!spec.canary) return { primary: primary.version };
  const canary = await resolve(ctx, spec.registeredModel, selectorOf(spec.canary));
  return 'problem' in canary ? canary : { primary: primary.version, canary: canary.version };
}

/**
 * What the primary's servers load beside their model: the candidate, routed to by weight in
 * process, or (with an HTTPRoute doing the split) for shadow traffic only; nothing when neither asks.
 */
function inProcessCandidate(
  spec: PredictionServiceSpec,
  versions: Versions,
  delayMs: number,
): CandidateTraffic | undefined {
  const { traffic } = spec;
  if (!traffic || versions.candidate === undefined) return undefined;
  const canaryWeight = traffic.gateway ? 0 : traffic.canaryWeight;
  if (canaryWeight === 0 && traffic.shadowPercent === 0) return undefined;
  const selector = selectorOf(traffic.candidate);
  return {
    version: versions.candidate,
    alias: 'alias' in selector ? selector.alias : undefined,
    canaryWeight,
    shadowPercent: traffic.shadowPercent,
    delayMs,
  };
}

/**
 * With spec.traffic.gateway, the candidate track's Service and the weighted HTTPRoute; without it,
 * removes both if an earlier generation made them (the candidate Service is the sign). Says whether
 * the route is in place, or why not.
 */
async function applyGatewayRoute(
  ctx: ReconcileContext,
  service: PredictionService,
  spec: PredictionServiceSpec,
): Promise<ConditionUpdate | undefined> {
  const { namespace = '', name } = service.metadata;
  const gateway = spec.traffic?.gateway;
  const ignoreNotFound = (error: unknown) => {
    if (!isNotFound(error)) throw error;
  };
  if (!spec.traffic || !gateway) {
    if (ctx.caches.of(services).get(namespace, candidateServiceName(name))) {
      await ctx.api.delete(httpRouteType, namespace, name).catch(ignoreNotFound);
      await ctx.api.delete(serviceType, namespace, candidateServiceName(name)).catch(ignoreNotFound);
    }
    return undefined;
  }
  const owner = controllerReference(service);
  await ctx.api.apply(
    serviceType,
    namespace,
    candidateServiceName(name),
    candidateService(name, namespace, owner),
  );
  const { canaryWeight } = spec.traffic;
  try {
    await ctx.api.apply(
      httpRouteType,
      namespace,
      name,
      weightedRoute(name, namespace, owner, gateway.parentRefs, canaryWeight),
    );
  } catch (error) {
    if (!isNotFound(error)) throw error;
    return {
      type: 'TrafficRouted',
      status: 'False',
      reason: 'GatewayAPIMissing',
      message:
        'spec.traffic.gateway needs the Gateway API in the cluster (HTTPRoute, gateway.networking.k8s.io/v1)',
    };
  }
  return {
    type: 'TrafficRouted',
    status: 'True',
    reason: 'HTTPRoute',
    message: `HTTPRoute ${name} sends ${canaryWeight}% to ${candidateServiceName(name)}, ${100 - canaryWeight}% to ${name}`,
  };
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
  candidateDelayMs: number,
): Promise<Rollout> {
  const { namespace = '', name } = service.metadata;
  const owner = controllerReference(service);
  await ctx.api.apply(
    serviceType,
    namespace,
    name,
    predictionService(name, namespace, owner, spec.traffic?.gateway ? 'primary' : undefined),
  );
  const applyTrack = async (
    track: Track,
    selector: ModelSelector,
    version: string,
    replicas: number,
    candidate?: CandidateTraffic,
  ) => {
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
          candidate,
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
  const primary = await applyTrack(
    'primary',
    selectorOf(spec),
    versions.primary,
    spec.replicas,
    inProcessCandidate(spec, versions, candidateDelayMs),
  );
  const canaryTrack = canaryTrackOf(spec);
  if (canaryTrack && versions.canary)
    return {
      primary,
      canary: await applyTrack('canary', canaryTrack.selector, versions.canary, canaryTrack.replicas),
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

/** The status fields of the tracks besides servedVersion. */
function trackStatus(
  name: string,
  versions: Versions,
  rollout: Rollout,
  ready: { primaryReady: boolean; canaryReady: boolean | undefined },
): PredictionServiceStatus {
  return {
    canaryVersion: ready.canaryReady ? versions.canary : undefined,
    candidateVersion: ready.primaryReady || ready.canaryReady ? versions.candidate : undefined,
    readyReplicas:
      (rollout.primary.status?.readyReplicas ?? 0) + (rollout.canary?.status?.readyReplicas ?? 0),
    replicas: rollout.primary.status?.replicas ?? 0,
    selector: trackSelectorText(name, 'primary'),
  };
}

/** What each track (and the candidate) resolved to, and the rollout that set the candidate. */
function resolvedMessage(spec: PredictionServiceSpec, versions: Versions, driven?: DrivenTraffic): string {
  const second = spec.canary
    ? `, canary ${describe(selectorOf(spec.canary))} = v${versions.canary}`
    : spec.traffic
      ? `, candidate ${describe(selectorOf(spec.traffic.candidate))} = v${versions.candidate}`
      : '';
  const rollout = driven
    ? ` (ModelPromotion ${driven.rollout.modelPromotion}, step ${driven.rollout.step}: canary ${driven.rollout.canaryWeight}%, shadow ${driven.rollout.shadowPercent}%)`
    : '';
  return `primary ${describe(selectorOf(spec))} = v${versions.primary}${second}${rollout}`;
}

/** Whether a track or the candidate follows an alias, to be looked at again every alias-poll interval. */
const followsAnAlias = (spec: PredictionServiceSpec) =>
  [spec, spec.canary, spec.traffic?.candidate].some((track) => track && 'alias' in selectorOf(track));

/** What is rolled out: which tracks are ready, and the conditions that say so. */
function rolloutStatus(
  spec: PredictionServiceSpec,
  versions: Versions,
  rollout: Rollout,
  url: string,
  driven: DrivenTraffic | undefined,
) {
  const ready = (deployment: Deployment, version: string, replicas: number) =>
    spec.autoscaling
      ? rolledOutScaled(deployment, version, spec.autoscaling.minReplicas)
      : rolledOut(deployment, version, replicas);
  const primaryReplicas = spec.autoscaling ? spec.autoscaling.minReplicas : spec.replicas;
  const primaryReady = primaryReplicas > 0 && ready(rollout.primary, versions.primary, primaryReplicas);
  const canaryTrack = canaryTrackOf(spec);
  const canaryReady =
    canaryTrack && versions.canary && rollout.canary
      ? ready(rollout.canary, versions.canary, canaryTrack.replicas)
      : undefined;
  const conditions: ConditionUpdate[] = [
    {
      type: 'ModelResolved',
      status: 'True',
      reason: 'Resolved',
      message: resolvedMessage(spec, versions, driven),
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
function servedTracks(
  primary: string | undefined,
  canary: string | undefined,
  candidate: string | undefined,
): ServedTrack[] {
  return [
    ...(primary ? [{ track: 'primary' as const, modelVersion: primary }] : []),
    ...(canary ? [{ track: 'canary' as const, modelVersion: canary }] : []),
    ...(candidate && candidate !== canary ? [{ track: 'candidate' as const, modelVersion: candidate }] : []),
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
 * The spec to serve, with spec.traffic set by the namespace's running rollout of the alias the
 * service follows (progressive-traffic.ts), and what its tracks resolve to. A rollout whose
 * candidate the alias already names (it moved, the promotion is about to succeed) sets nothing.
 */
async function resolveDriven(
  ctx: ReconcileContext,
  namespace: string,
  spec: PredictionServiceSpec,
): Promise<
  { spec: PredictionServiceSpec; versions: Versions; driven?: DrivenTraffic } | { problem: ConditionUpdate }
> {
  const promotions = ctx.caches
    .of(modelPromotions)
    .list()
    .filter((promotion) => promotion.metadata.namespace === namespace);
  const driven = drivenTraffic(spec, promotions);
  if (driven) {
    const drivenSpec = { ...spec, traffic: driven.traffic };
    const versions = await resolveTracks(ctx, drivenSpec);
    if ('problem' in versions) return versions;
    if (versions.candidate !== versions.primary) return { spec: drivenSpec, versions, driven };
  }
  const versions = await resolveTracks(ctx, spec);
  return 'problem' in versions ? versions : { spec, versions };
}

/**
 * The PredictionServices, in any namespace (the registry is shared), with a track following the
 * alias a ModelPromotion has moved, or whose Progressive rollout may set their candidate traffic.
 */
function followersOf(promotion: ModelPromotion, caches: Caches): string[] {
  if (promotion.status?.phase !== 'Succeeded' && promotion.status?.rollout === undefined) return [];
  const { registeredModel, alias } = promotion.spec;
  return caches
    .of(predictionServices)
    .list()
    .filter(
      (service) =>
        service.spec.registeredModel === registeredModel &&
        [service.spec, service.spec.canary, service.spec.traffic?.candidate].some((track) => {
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

    const ownSpec = await validSpec(service.spec, validPredictionServiceSpec, (message) =>
      writer.condition({ type: 'Ready', status: 'False', reason: 'InvalidSpec', message }).write(),
    );
    if (!ownSpec) return undefined;
    const resolved = await resolveDriven(ctx, namespace, ownSpec);
    if ('problem' in resolved) {
      const { reason, message } = resolved.problem;
      await writer.condition(resolved.problem, { type: 'Ready', status: 'False', reason, message }).write();
      return { requeueAfterMs: ctx.settings.aliasPollMs };
    }
    const { spec, versions, driven } = resolved;

    const rollout = await applyTracks(ctx, service, spec, versions, driven?.candidateDelayMs ?? 0);
    const routed = await applyGatewayRoute(ctx, service, spec);
    const { primaryReady, canaryReady, conditions } = rolloutStatus(spec, versions, rollout, url, driven);
    const servedVersion = primaryReady ? versions.primary : status.servedVersion;
    if (canaryReady === undefined) writer.dropCondition('CanaryReady');
    if (routed) conditions.push(routed);
    else writer.dropCondition('TrafficRouted');
    const served = trackStatus(name, versions, rollout, { primaryReady, canaryReady });
    const tracks = servedTracks(
      servedVersion,
      served.canaryVersion,
      spec.traffic?.canaryWeight ? served.candidateVersion : undefined,
    );
    // What is served must not wait on PostgreSQL: a failed computation keeps the last one and retries.
    const liveQuality = await observeLiveQuality(ctx, service, spec, tracks).catch((error: unknown) => {
      log.warn('live quality not computed', { error: (error as Error).message });
      return { status: status.liveQuality, dueInMs: ctx.settings.liveQualityMs };
    });
    const changed = await writer
      .set({ servedVersion, ...served, liveQuality: liveQuality.status, rollout: driven?.rollout })
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
    return soonest(followsAnAlias(spec) ? ctx.settings.aliasPollMs : undefined, liveQuality.dueInMs);
  },
});
