import type { ReconcileResult } from '../controller.js';
import { VersionRejected } from '../external/promotion.js';
import { type ConditionUpdate, conditionOf, timestamp, withConditions } from '../kube/conditions.js';
import { keyOf, splitKey } from '../kube/objects.js';
import type { Logger } from '../log.js';
import {
  type ModelPromotion,
  type ModelPromotionSpec,
  type ModelPromotionStatus,
  modelPromotionType,
} from '../resources/types.js';
import { InvalidSpec, selectorOf, validModelPromotionSpec } from '../resources/validate.js';
import type { ReconcileContext } from './context.js';
import { type Announcement, publish } from './status-change.js';

const promoting = 'Promoting';
const versionPollMs = 30_000;

/**
 * ModelPromotion: moves the alias once, through the core promotion module. Before the move the
 * status records the alias's current version and a `Promoting` condition; a reconcile that finds
 * that condition and the alias already moved (the operator died in between) completes the status
 * without moving the alias, or writing the promotion history, a second time.
 */
export async function reconcileModelPromotion(
  ctx: ReconcileContext,
  key: string,
  log: Logger,
): Promise<ReconcileResult | undefined> {
  const { namespace, name } = splitKey(key);
  const promotion = ctx.caches.modelPromotions.get(namespace, name);
  if (!promotion || promotion.metadata.deletionTimestamp) return undefined;
  const generation = promotion.metadata.generation;
  const status = promotion.status ?? {};
  if (status.phase !== undefined && status.phase !== 'Pending' && status.observedGeneration === generation)
    return undefined;

  let current: ModelPromotion = promotion;
  const next = async (
    update: ModelPromotionStatus,
    conditions: ConditionUpdate[],
    announcement?: Announcement,
  ) => {
    const before = current.status ?? {};
    current = await publish(
      ctx,
      modelPromotionType,
      current,
      {
        ...before,
        ...update,
        observedGeneration: generation,
        conditions: withConditions(before.conditions, conditions, generation),
      },
      announcement,
    );
  };
  const fail = (reason: string, message: string) =>
    next(
      { phase: 'Failed' },
      [
        { type: 'Promoted', status: 'False', reason, message },
        { type: 'Ready', status: 'False', reason, message },
      ],
      { type: 'Warning', reason, message },
    );

  let spec: ModelPromotionSpec;
  try {
    spec = validModelPromotionSpec(promotion.spec);
  } catch (error) {
    if (!(error instanceof InvalidSpec)) throw error;
    await fail('InvalidSpec', error.message);
    return undefined;
  }
  const target = String(spec.version);
  const where = `${spec.registeredModel}@${spec.alias}`;
  const succeed = (previousVersion: string | undefined) => {
    const message = `${where}: ${previousVersion ? `v${previousVersion}` : 'unset'} → v${target}`;
    return next(
      { phase: 'Succeeded', previousVersion, promotedAt: timestamp() },
      [
        { type: 'Promoted', status: 'True', reason: 'Promoted', message },
        { type: 'Ready', status: 'True', reason: 'Promoted', message },
      ],
      { type: 'Normal', reason: 'Promoted', message },
    );
  };

  const aliasNow = await ctx.mlflow.aliasVersion(spec.registeredModel, spec.alias);
  if (conditionOf(status.conditions, 'Promoted')?.reason === promoting && aliasNow === target) {
    log.info('alias already moved before a restart; completing the status', {
      alias: where,
      version: target,
    });
    await succeed(status.previousVersion);
  } else {
    if (!(await ctx.mlflow.versionExists(spec.registeredModel, target))) {
      // Applied together with the TrainingRun that will register it (GitOps), it may just be early.
      const message = `${spec.registeredModel} has no version ${target} (yet)`;
      await next({ phase: 'Pending' }, [
        { type: 'Promoted', status: 'False', reason: 'VersionNotFound', message },
        { type: 'Ready', status: 'False', reason: 'VersionNotFound', message },
      ]);
      return { requeueAfterMs: versionPollMs };
    }
    await next({ phase: 'Pending', previousVersion: aliasNow }, [
      { type: 'Promoted', status: 'Unknown', reason: promoting, message: `moving ${where} to v${target}` },
      { type: 'Ready', status: 'False', reason: promoting, message: `moving ${where} to v${target}` },
    ]);
    try {
      const result = await ctx.promote({
        registeredModel: spec.registeredModel,
        version: spec.version,
        alias: spec.alias,
        reason: spec.reason ?? `ModelPromotion ${namespace}/${name}`,
        requestedBy: `ModelPromotion ${namespace}/${name}`,
      });
      await succeed(result.previousVersion ?? aliasNow);
    } catch (error) {
      if (!(error instanceof VersionRejected)) throw error;
      await fail('VersionRejected', error.message);
      return undefined;
    }
  }

  ctx.enqueuePredictionServices(
    ctx.caches.predictionServices
      .list()
      .filter(
        (service) =>
          service.spec.registeredModel === spec.registeredModel &&
          [service.spec, service.spec.canary].some((track) => {
            if (!track) return false;
            const selector = selectorOf(track);
            return 'alias' in selector && selector.alias === spec.alias;
          }),
      )
      .map(keyOf),
  );
  return undefined;
}
