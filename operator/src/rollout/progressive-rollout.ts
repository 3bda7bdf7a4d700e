import { type ConditionUpdate, timestamp } from '@prodclass/kube/conditions';
import type { Logger } from '@prodclass/kube/log';
import { promotionTags } from '@prodclass/registry/contract/mlflow-tags';
import type { ReconcileResult } from '../controller.js';
import { modelPromotions } from '../manager/kinds.js';
import type { ReconcileContext } from '../manager/reconcile-context.js';
import type { StatusWriter } from '../manager/status-writer.js';
import { approvalAllowsMove } from '../reconcilers/promotion-approval.js';
import type { ModelPromotion, ModelPromotionSpec, ModelPromotionStatus } from '../resources/types.js';
import type { StepAnalysis } from './analysis.js';
import {
  analysisIntervalMs,
  describeStep,
  judgeStep,
  type ProgressiveSettings,
  type RolloutStatus,
  type RolloutStep,
  rolloutSteps,
  stepNeeds,
  thresholdsOf,
} from './progressive-steps.js';
import { rolloutActive, sameAlias } from './progressive-traffic.js';

type PromotionWriter = StatusWriter<ModelPromotionStatus, ModelPromotion>;
/** Undefined when the alias may move now; otherwise what the reconcile returns. */
type Advance = { result: ReconcileResult | undefined } | undefined;

export const progressingCondition = 'Progressing';

/** The conditions of a rollout that runs: Progressing True, and the promotion not done. */
function running(reason: string, message: string): ConditionUpdate[] {
  return [
    { type: progressingCondition, status: 'True', reason, message },
    { type: 'Promoted', status: 'Unknown', reason: 'Progressing', message },
    { type: 'Ready', status: 'False', reason: 'Progressing', message },
  ];
}

/** Writes the step, when it started and the conditions, before anything acts on it. */
async function enterStep(
  ctx: ReconcileContext,
  writer: PromotionWriter,
  rollout: Omit<RolloutStatus, 'step' | 'stepStartedAt'>,
  step: RolloutStep,
  evidence?: ModelPromotionStatus['evidence'],
): Promise<void> {
  const message = `step ${step.index + 1}: ${describeStep(step)} (v${rollout.championVersion} → v${rollout.candidateVersion})`;
  await writer
    .set({
      phase: 'Progressing',
      rollout: { ...rollout, step, stepStartedAt: timestamp(ctx.now()) },
      ...(evidence ? { evidence } : {}),
    })
    .condition(...running('StepStarted', message))
    .announce({ type: 'Normal', reason: 'StepStarted', message })
    .write();
}

/** The other running rollout of the namespace moving the same alias, if any. */
function otherRollout(ctx: ReconcileContext, promotion: ModelPromotion): ModelPromotion | undefined {
  const { namespace = '', name } = promotion.metadata;
  return ctx.caches
    .of(modelPromotions)
    .list()
    .find(
      (other) =>
        other.metadata.namespace === namespace &&
        other.metadata.name !== name &&
        rolloutActive(other) &&
        sameAlias(other.spec, promotion.spec),
    );
}

/**
 * Why the version may never be promoted (training rejected it), which the alias move would refuse
 * at the end (registry/src/promotion/promote.ts): said before the rollout serves it any traffic.
 */
async function rejectedVersion(ctx: ReconcileContext, spec: ModelPromotionSpec): Promise<string | undefined> {
  const tags = await ctx.mlflow.versionTagsOf(spec.registeredModel, String(spec.version));
  if (tags?.[promotionTags.decision] !== 'reject') return undefined;
  return `${spec.registeredModel} version ${spec.version} was rejected (${tags[promotionTags.reason] ?? 'no reason recorded'}) and cannot be promoted`;
}

/** Starts the rollout at its first step (unless the version was rejected); or says why it cannot start yet. */
async function start(
  ctx: ReconcileContext,
  writer: PromotionWriter,
  spec: ModelPromotionSpec,
  steps: RolloutStep[],
  champion: string,
): Promise<Advance> {
  const other = otherRollout(ctx, writer.object);
  if (other) {
    const message = `waiting for the rollout of ModelPromotion ${other.metadata.name} to end`;
    await writer
      .set({ phase: 'Pending' })
      .condition(
        { type: progressingCondition, status: 'False', reason: 'WaitingForRollout', message },
        { type: 'Ready', status: 'False', reason: 'WaitingForRollout', message },
      )
      .write();
    return { result: { requeueAfterMs: analysisIntervalMs } };
  }
  const refused = await rejectedVersion(ctx, spec);
  if (refused) {
    await writer
      .set({ phase: 'Failed' })
      .condition(
        { type: progressingCondition, status: 'False', reason: 'VersionRejected', message: refused },
        { type: 'Promoted', status: 'False', reason: 'VersionRejected', message: refused },
        { type: 'Ready', status: 'False', reason: 'VersionRejected', message: refused },
      )
      .announce({ type: 'Warning', reason: 'VersionRejected', message: refused })
      .write();
    return { result: undefined };
  }
  const now = timestamp(ctx.now());
  const first = steps[0] as RolloutStep;
  await enterStep(
    ctx,
    writer,
    { startedAt: now, championVersion: champion, candidateVersion: String(spec.version) },
    first,
  );
  return first.name === 'full' ? undefined : { result: { requeueAfterMs: analysisIntervalMs } };
}

/** Ends the rollout for good: the services drop the candidate (the promotion is no longer active). */
async function stop(
  writer: PromotionWriter,
  rollout: RolloutStatus,
  reason: string,
  message: string,
): Promise<Advance> {
  await writer
    .set({ phase: 'Failed', rollout })
    .condition(
      { type: progressingCondition, status: 'False', reason, message },
      { type: 'Promoted', status: 'False', reason, message },
      { type: 'Ready', status: 'False', reason, message },
    )
    .announce({ type: 'Warning', reason, message })
    .write();
  return { result: undefined };
}

/** A failed check stops the rollout; the alias stays. */
function abort(
  writer: PromotionWriter,
  rollout: RolloutStatus,
  step: RolloutStep,
  analysis: RolloutStatus['analysis'],
  message: string,
): Promise<Advance> {
  const full = `${describeStep(step)}: ${message}; ${rollout.championVersion ? `the alias stays at v${rollout.championVersion}` : 'the alias stays'}`;
  return stop(writer, { ...rollout, analysis }, 'AnalysisFailed', full);
}

/**
 * The alias moved while the rollout ran (another promotion, the CLI, MLflow's UI): what the steps
 * compared against is gone, so the rollout stops and leaves the alias where it was put.
 */
function aliasMoved(
  writer: PromotionWriter,
  spec: ModelPromotionSpec,
  rollout: RolloutStatus,
  aliasNow: string | undefined,
): Promise<Advance> {
  const moved = aliasNow === undefined ? 'was removed' : `was moved to v${aliasNow}`;
  const message = `${describeStep(rollout.step)}: ${spec.registeredModel}@${spec.alias} ${moved} outside this rollout, which compared v${rollout.candidateVersion} with v${rollout.championVersion}; the rollout stopped and leaves the alias as it is`;
  return stop(writer, rollout, 'AliasMoved', message);
}

function recorded(
  step: 'shadow' | 'canary',
  analysis: StepAnalysis,
  observedAt: Date,
): NonNullable<RolloutStatus['analysis']> {
  return { step, observedAt: timestamp(observedAt), requests: analysis.requests, checks: analysis.checks };
}

/** The shadow step's agreement, for a person deciding on the approval after it. */
function shadowEvidence(
  writer: PromotionWriter,
  rollout: RolloutStatus,
  analysis: StepAnalysis,
  until: Date,
): ModelPromotionStatus['evidence'] {
  const agreement = analysis.checks.find((check) => check.name === 'agreement');
  return {
    ...writer.status.evidence,
    shadow: {
      agreement: agreement?.value ?? 0,
      requests: analysis.requests,
      from: rollout.stepStartedAt,
      to: timestamp(until),
    },
  };
}

/** Analyses a shadow or canary step, and passes, fails or keeps it. */
async function judge(
  ctx: ReconcileContext,
  writer: PromotionWriter,
  spec: ModelPromotionSpec,
  settings: ProgressiveSettings,
  rollout: RolloutStatus,
  next: RolloutStep,
  log: Logger,
): Promise<Advance> {
  const { step } = rollout;
  const kind = step.name as 'shadow' | 'canary';
  const since = new Date(rollout.stepStartedAt);
  const until = ctx.now();
  const stepName = describeStep(step);
  let analysis: StepAnalysis;
  try {
    analysis = await ctx.rolloutAnalyzer.analyze(
      {
        namespace: writer.object.metadata.namespace ?? '',
        registeredModel: spec.registeredModel,
        championVersion: rollout.championVersion,
        candidateVersion: rollout.candidateVersion,
        step: kind,
        since,
        until,
      },
      thresholdsOf(settings),
    );
  } catch (error) {
    const message = `${stepName}: analysis unavailable: ${(error as Error).message}`;
    log.warn('rollout analysis unavailable', { error: (error as Error).message });
    await writer.condition(...running('AnalysisUnavailable', message)).write();
    return { result: { requeueAfterMs: analysisIntervalMs } };
  }
  const observed = recorded(kind, analysis, until);
  const verdict = judgeStep(kind, stepNeeds(settings, kind), until.getTime() - since.getTime(), analysis);
  if (verdict.verdict === 'failed') return abort(writer, rollout, step, observed, verdict.check.message);
  if (verdict.verdict === 'waiting') {
    await writer
      .set({ rollout: { ...rollout, analysis: observed } })
      .condition(...running(verdict.reason, `${stepName}: ${verdict.message}`))
      .write();
    return { result: { requeueAfterMs: verdict.requeueAfterMs } };
  }
  log.info('rollout step passed', { step: stepName, next: describeStep(next) });
  const { step: _, stepStartedAt: __, ...kept } = rollout;
  await enterStep(
    ctx,
    writer,
    { ...kept, analysis: observed },
    next,
    kind === 'shadow' ? shadowEvidence(writer, rollout, analysis, until) : undefined,
  );
  return next.name === 'full' ? undefined : { result: { requeueAfterMs: analysisIntervalMs } };
}

/** No champion to compare with (the alias is unset, or at the candidate already): no steps, the alias moves once approved. */
async function withoutChampion(
  ctx: ReconcileContext,
  writer: PromotionWriter,
  spec: ModelPromotionSpec,
  aliasNow: string | undefined,
): Promise<Advance> {
  const message =
    aliasNow === undefined
      ? `${spec.registeredModel}@${spec.alias} points at no version: no champion to roll out against`
      : `${spec.registeredModel}@${spec.alias} points at v${aliasNow} already`;
  writer.condition({ type: progressingCondition, status: 'False', reason: 'NoChampion', message });
  return (await approvalAllowsMove(ctx, writer, spec)) ? undefined : { result: undefined };
}

/** The approval step: waits for a person (promotion-approval.ts), then enters the next step. */
async function passApproval(
  ctx: ReconcileContext,
  writer: PromotionWriter,
  spec: ModelPromotionSpec,
  rollout: RolloutStatus,
  next: RolloutStep,
): Promise<Advance> {
  if (!(await approvalAllowsMove(ctx, writer, spec, 'Progressing'))) return { result: undefined };
  const { step: _, stepStartedAt: __, ...kept } = writer.status.rollout ?? rollout;
  await enterStep(ctx, writer, kept, next);
  return next.name === 'full' ? undefined : { result: { requeueAfterMs: analysisIntervalMs } };
}

/**
 * A Progressive promotion's rollout, one level-based step at a time: the step, when it started and
 * the versions are in status.rollout, written before the services act on it, so a restarted
 * operator resumes the same step with the same start. Undefined once the last step has passed and
 * the alias may move (or at once when there is no champion to compare with); otherwise what the
 * reconcile returns (wait, requeue, or failed for good).
 */
export async function advanceRollout(
  ctx: ReconcileContext,
  writer: PromotionWriter,
  spec: ModelPromotionSpec,
  aliasNow: string | undefined,
  log: Logger,
): Promise<Advance> {
  const settings = spec.progressive as ProgressiveSettings;
  const steps = rolloutSteps(settings, spec.approval === 'Required');
  const rollout = writer.status.rollout;
  if (!rollout) {
    if (aliasNow === undefined || aliasNow === String(spec.version))
      return withoutChampion(ctx, writer, spec, aliasNow);
    return start(ctx, writer, spec, steps, aliasNow);
  }
  const next = steps[rollout.step.index + 1];
  if (rollout.step.name === 'full' || !next) return undefined;
  // Before the last step the alias can only be where the rollout found it.
  if ((aliasNow ?? '') !== rollout.championVersion) return aliasMoved(writer, spec, rollout, aliasNow);
  if (rollout.step.name === 'approval') return passApproval(ctx, writer, spec, rollout, next);
  return judge(ctx, writer, spec, settings, rollout, next, log);
}
