import { conditionOf, timestamp } from '@prodclass/kube/conditions';
import type { Logger } from '@prodclass/kube/log';
import type { ReconcileResult } from '../controller.js';
import { VersionRejected } from '../external/promotion.js';
import { describeController } from '../manager/controller-description.js';
import { jobs, modelPromotions } from '../manager/kinds.js';
import type { ReconcileContext } from '../manager/reconcile-context.js';
import type { StatusWriter } from '../manager/status-writer.js';
import type { ModelPromotion, ModelPromotionSpec, ModelPromotionStatus } from '../resources/types.js';
import { validModelPromotionSpec } from '../resources/validate.js';
import { advanceRollout, progressingCondition } from '../rollout/progressive-rollout.js';
import { previewImpact } from './impact-preview.js';
import { approvalAllowsMove } from './promotion-approval.js';
import { validSpec } from './valid-spec.js';

const promoting = 'Promoting';
const versionPollMs = 30_000;

type PromotionWriter = StatusWriter<ModelPromotionStatus, ModelPromotion>;

function fail(writer: PromotionWriter, reason: string, message: string): Promise<undefined> {
  return writer
    .set({ phase: 'Failed' })
    .condition(
      { type: 'Promoted', status: 'False', reason, message },
      { type: 'Ready', status: 'False', reason, message },
    )
    .announce({ type: 'Warning', reason, message })
    .write()
    .then(() => undefined);
}

async function succeed(
  writer: PromotionWriter,
  spec: ModelPromotionSpec,
  previousVersion: string | undefined,
): Promise<void> {
  const message = `${spec.registeredModel}@${spec.alias}: ${previousVersion ? `v${previousVersion}` : 'unset'} → v${spec.version}`;
  if (writer.status.rollout)
    writer.condition({
      type: progressingCondition,
      status: 'False',
      reason: 'RolloutCompleted',
      message: `every step passed; ${message}`,
    });
  await writer
    .set({ phase: 'Succeeded', previousVersion, promotedAt: timestamp() })
    .condition(
      { type: 'Promoted', status: 'True', reason: 'Promoted', message },
      { type: 'Ready', status: 'True', reason: 'Promoted', message },
    )
    .announce({ type: 'Normal', reason: 'Promoted', message })
    .write();
}

/**
 * Moves the alias: first records its current version and a `Promoting` condition, then promotes.
 * Undefined when the alias moved; otherwise the result of the reconcile.
 */
async function moveAlias(
  ctx: ReconcileContext,
  writer: PromotionWriter,
  spec: ModelPromotionSpec,
  aliasNow: string | undefined,
  log: Logger,
): Promise<{ result: ReconcileResult | undefined } | undefined> {
  const target = String(spec.version);
  if (!(await ctx.mlflow.versionExists(spec.registeredModel, target))) {
    // Applied together with the TrainingRun that will register it (GitOps), it may just be early.
    const message = `${spec.registeredModel} has no version ${target} (yet)`;
    await writer
      .set({ phase: 'Pending' })
      .condition(
        { type: 'Promoted', status: 'False', reason: 'VersionNotFound', message },
        { type: 'Ready', status: 'False', reason: 'VersionNotFound', message },
      )
      .write();
    return { result: { requeueAfterMs: versionPollMs } };
  }
  if (spec.impactPreview) {
    const previewing = await previewImpact(ctx, writer, spec, aliasNow, log);
    if (previewing) return previewing;
  }
  if (spec.strategy === 'Progressive') {
    const progressing = await advanceRollout(ctx, writer, spec, aliasNow, log);
    if (progressing) return progressing;
  } else if (!(await approvalAllowsMove(ctx, writer, spec))) return { result: undefined };
  const moving = `moving ${spec.registeredModel}@${spec.alias} to v${target}`;
  await writer
    .set({ phase: writer.status.rollout ? 'Progressing' : 'Pending', previousVersion: aliasNow })
    .condition(
      { type: 'Promoted', status: 'Unknown', reason: promoting, message: moving },
      { type: 'Ready', status: 'False', reason: promoting, message: moving },
    )
    .write();
  const { namespace, name } = writer.object.metadata;
  try {
    const result = await ctx.promote({
      registeredModel: spec.registeredModel,
      version: spec.version,
      alias: spec.alias,
      reason: spec.reason ?? `ModelPromotion ${namespace}/${name}`,
      requestedBy: `ModelPromotion ${namespace}/${name}`,
    });
    await succeed(writer, spec, result.previousVersion ?? aliasNow);
    return undefined;
  } catch (error) {
    if (!(error instanceof VersionRejected)) throw error;
    return { result: await fail(writer, 'VersionRejected', error.message) };
  }
}

/**
 * ModelPromotion: moves the alias once, through the registry promotion module. Before the move the
 * status records the alias's current version and a `Promoting` condition; a reconcile that finds
 * that condition and the alias already moved (the operator died in between) completes the status
 * without moving the alias, or writing the promotion history, a second time. With spec.impactPreview
 * the catalog impact preview Job runs and is recorded first (impact-preview.ts). (The PredictionServices
 * that follow the alias watch for the promotion's success.) With `approval: Required` it first waits for a person's
 * approval (promotion-approval.ts), after the impact preview, which is part of the evidence. With
 * strategy Progressive the alias moves only once the rollout's shadow and canary steps have passed
 * their analysis (rollout/progressive-rollout.ts; the approval is then a step after the shadow step).
 */
export const modelPromotionController = describeController({
  for: modelPromotions,
  owns: [jobs],
  async reconcile(ctx, writer: PromotionWriter, log) {
    const promotion = writer.object;
    const status = writer.status;
    if (
      status.phase !== undefined &&
      status.phase !== 'Pending' &&
      status.phase !== 'Progressing' &&
      status.phase !== 'AwaitingApproval' &&
      status.observedGeneration === promotion.metadata.generation
    )
      return undefined;
    const spec = await validSpec(promotion.spec, validModelPromotionSpec, (message) =>
      fail(writer, 'InvalidSpec', message),
    );
    if (!spec) return undefined;

    const aliasNow = await ctx.mlflow.aliasVersion(spec.registeredModel, spec.alias);
    if (
      conditionOf(status.conditions, 'Promoted')?.reason === promoting &&
      aliasNow === String(spec.version)
    ) {
      log.info('alias already moved before a restart; completing the status', {
        alias: `${spec.registeredModel}@${spec.alias}`,
        version: String(spec.version),
      });
      await succeed(writer, spec, status.previousVersion);
    } else {
      const ended = await moveAlias(ctx, writer, spec, aliasNow, log);
      if (ended) return ended.result;
    }
    return undefined;
  },
});
