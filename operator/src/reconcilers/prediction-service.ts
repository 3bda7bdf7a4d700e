import {
  type Deployment,
  deploymentName,
  predictionService,
  rolledOut,
  type Track,
  trackDeployment,
} from '../children/model-server.js';
import type { ReconcileResult } from '../controller.js';
import { isNotFound } from '../kube/api.js';
import { type ConditionUpdate, withConditions } from '../kube/conditions.js';
import { controllerReference, deploymentType, serviceType, splitKey } from '../kube/objects.js';
import type { Logger } from '../log.js';
import {
  type ModelSelector,
  type PredictionServiceSpec,
  type PredictionServiceStatus,
  predictionServiceType,
} from '../resources/types.js';
import { InvalidSpec, selectorOf, validPredictionServiceSpec } from '../resources/validate.js';
import type { ReconcileContext } from './context.js';
import { publish } from './status-change.js';

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

const describe = (selector: ModelSelector) =>
  'version' in selector ? `v${selector.version}` : `@${selector.alias}`;

/**
 * PredictionService: resolves each track's alias or version in the registry, server-side applies
 * one Deployment per track and the Service, and reports what is served once a rollout is complete.
 * Tracks that follow an alias are looked at again every alias-poll interval, and at once when a
 * ModelPromotion moves their alias.
 */
export async function reconcilePredictionService(
  ctx: ReconcileContext,
  key: string,
  log: Logger,
): Promise<ReconcileResult | undefined> {
  const { namespace, name } = splitKey(key);
  const service = ctx.caches.predictionServices.get(namespace, name);
  if (!service || service.metadata.deletionTimestamp) return undefined;
  const generation = service.metadata.generation;
  const status = service.status ?? {};
  const url = `http://${name}.${namespace}.svc.cluster.local`;
  const write = (update: PredictionServiceStatus, conditions: ConditionUpdate[], drop: string[] = []) =>
    publish(ctx, predictionServiceType, service, {
      ...status,
      ...update,
      url,
      observedGeneration: generation,
      conditions: withConditions(status.conditions, conditions, generation).filter(
        (c) => !drop.includes(c.type),
      ),
    });

  let spec: PredictionServiceSpec;
  try {
    spec = validPredictionServiceSpec(service.spec);
  } catch (error) {
    if (!(error instanceof InvalidSpec)) throw error;
    await write({}, [{ type: 'Ready', status: 'False', reason: 'InvalidSpec', message: error.message }]);
    return undefined;
  }
  const primary = selectorOf(spec);
  const canary = spec.canary ? selectorOf(spec.canary) : undefined;
  const followsAlias = 'alias' in primary || (canary !== undefined && 'alias' in canary);
  const poll = followsAlias ? { requeueAfterMs: ctx.settings.aliasPollMs } : undefined;

  const primaryVersion = await resolve(ctx, spec.registeredModel, primary);
  const canaryVersion = canary ? await resolve(ctx, spec.registeredModel, canary) : undefined;
  const problem = [primaryVersion, canaryVersion].find((r) => r && 'problem' in r);
  if (problem && 'problem' in problem) {
    await write({}, [
      problem.problem,
      { type: 'Ready', status: 'False', reason: problem.problem.reason, message: problem.problem.message },
    ]);
    return { requeueAfterMs: ctx.settings.aliasPollMs };
  }
  const versions = {
    primary: (primaryVersion as { version: string }).version,
    canary: (canaryVersion as { version: string } | undefined)?.version,
  };

  const owner = controllerReference(service);
  await ctx.api.apply(serviceType, namespace, name, predictionService(name, namespace, owner));
  const applyTrack = (track: Track, selector: ModelSelector, version: string, replicas: number) =>
    ctx.api.apply<Deployment>(
      deploymentType,
      namespace,
      deploymentName(name, track),
      trackDeployment(ctx.settings, {
        service: name,
        namespace,
        owner,
        track,
        registeredModel: spec.registeredModel,
        version,
        alias: 'alias' in selector ? selector.alias : undefined,
        replicas,
        resources: spec.resources,
      }),
    );
  const primaryDeployment = await applyTrack('primary', primary, versions.primary, spec.replicas);
  let canaryDeployment: Deployment | undefined;
  if (spec.canary && canary && versions.canary) {
    canaryDeployment = await applyTrack('canary', canary, versions.canary, spec.canary.replicas);
  } else if (ctx.caches.deployments.get(namespace, deploymentName(name, 'canary'))) {
    await ctx.api
      .delete(deploymentType, namespace, deploymentName(name, 'canary'))
      .catch((error: unknown) => {
        if (!isNotFound(error)) throw error;
      });
  }

  const primaryReady = spec.replicas > 0 && rolledOut(primaryDeployment, versions.primary, spec.replicas);
  const canaryReady =
    spec.canary && versions.canary && canaryDeployment
      ? rolledOut(canaryDeployment, versions.canary, spec.canary.replicas)
      : undefined;
  const servedVersion = primaryReady ? versions.primary : status.servedVersion;
  const conditions: ConditionUpdate[] = [
    {
      type: 'ModelResolved',
      status: 'True',
      reason: 'Resolved',
      message: `primary ${describe(primary)} = v${versions.primary}${canary ? `, canary ${describe(canary)} = v${versions.canary}` : ''}`,
    },
    primaryReady
      ? {
          type: 'PrimaryReady',
          status: 'True',
          reason: 'RolledOut',
          message: `v${versions.primary} is served`,
        }
      : {
          type: 'PrimaryReady',
          status: 'False',
          reason: spec.replicas === 0 ? 'NoReplicas' : 'RollingOut',
          message: spec.replicas === 0 ? 'replicas is 0' : `rolling out v${versions.primary}`,
        },
  ];
  if (canaryReady !== undefined)
    conditions.push(
      canaryReady
        ? {
            type: 'CanaryReady',
            status: 'True',
            reason: 'RolledOut',
            message: `v${versions.canary} is served`,
          }
        : {
            type: 'CanaryReady',
            status: 'False',
            reason: 'RollingOut',
            message: `rolling out v${versions.canary}`,
          },
    );
  const ready = primaryReady && canaryReady !== false;
  conditions.push(
    ready
      ? { type: 'Ready', status: 'True', reason: 'Ready', message: `serving v${versions.primary} at ${url}` }
      : {
          type: 'Ready',
          status: 'False',
          reason: primaryReady ? 'CanaryNotReady' : 'PrimaryNotReady',
          message: primaryReady
            ? `canary rolling out v${versions.canary}`
            : `primary rolling out v${versions.primary}`,
        },
  );
  const stored = await write(
    {
      servedVersion,
      canaryVersion: canaryReady ? versions.canary : undefined,
      readyReplicas:
        (primaryDeployment.status?.readyReplicas ?? 0) + (canaryDeployment?.status?.readyReplicas ?? 0),
    },
    conditions,
    canaryReady === undefined ? ['CanaryReady'] : [],
  );
  if (stored !== service && servedVersion !== status.servedVersion && servedVersion) {
    log.info('rolled out', { version: servedVersion, previous: status.servedVersion });
    ctx.events.record(
      service,
      'Normal',
      'RolledOut',
      `now serving ${spec.registeredModel} v${servedVersion}${status.servedVersion ? ` (was v${status.servedVersion})` : ''}`,
    );
  }
  return poll;
}
