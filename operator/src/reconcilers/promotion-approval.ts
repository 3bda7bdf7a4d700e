import { approvalAnnotations } from '@prodclass/api';
import { type ConditionUpdate, timestamp } from '@prodclass/kube/conditions';
import { promotionTags } from '@prodclass/registry/contract/mlflow-tags';
import type { ReconcileContext } from '../manager/reconcile-context.js';
import type { StatusWriter } from '../manager/status-writer.js';
import type { ModelPromotion, ModelPromotionSpec, ModelPromotionStatus } from '../resources/types.js';

type PromotionWriter = StatusWriter<ModelPromotionStatus, ModelPromotion>;
type OfflineEvidence = NonNullable<NonNullable<ModelPromotionStatus['evidence']>['offline']>;

/** A person's decision on a promotion, from its annotations; undefined while nobody has decided. */
export type ApprovalDecision = { approved: boolean; by: string } | undefined;

/**
 * The decision the annotations carry. Only the API server's admission policy checks who wrote them
 * (the user named, allowed to `approve` the promotion), so the operator takes them as they are;
 * both present (impossible through the policy) counts as a rejection.
 */
export function decisionOf(annotations: Record<string, string> | undefined): ApprovalDecision {
  const rejectedBy = annotations?.[approvalAnnotations.rejectedBy]?.trim();
  if (rejectedBy) return { approved: false, by: rejectedBy };
  const approvedBy = annotations?.[approvalAnnotations.approvedBy]?.trim();
  if (approvedBy) return { approved: true, by: approvedBy };
  return undefined;
}

const score = (value: string | undefined): number | undefined => {
  if (value === undefined || value.trim() === '') return undefined;
  const parsed = Number(value);
  return Number.isFinite(parsed) && parsed >= 0 && parsed <= 1 ? parsed : undefined;
};

const count = (value: string | undefined): number | undefined => {
  const parsed = Number(value);
  return value !== undefined && Number.isInteger(parsed) && parsed >= 0 ? parsed : undefined;
};

/** The offline comparison with the champion, from the candidate's version tags; undefined when there is none. */
export function offlineEvidenceOf(tags: Record<string, string>): OfflineEvidence | undefined {
  const evidence: OfflineEvidence = {
    decision: tags[promotionTags.decision],
    reason: tags[promotionTags.reason]?.slice(0, 1024),
    candidateF1: score(tags[promotionTags.challengerF1]),
    championVersion: tags[promotionTags.championVersion] || undefined,
    championF1: score(tags[promotionTags.championF1]),
    candidateComparisonF1: score(tags[promotionTags.challengerComparisonF1]),
    comparisonRows: count(tags[promotionTags.comparisonRows]),
    mcnemarMidP: score(tags[promotionTags.mcnemarMidP]),
  };
  const present = Object.entries(evidence).filter(([, value]) => value !== undefined);
  return present.length === 0 ? undefined : (Object.fromEntries(present) as OfflineEvidence);
}

const approvedCondition = (update: Omit<ConditionUpdate, 'type'>): ConditionUpdate[] => [
  { type: 'Approved', ...update },
  ...(update.status === 'True'
    ? []
    : [
        { type: 'Promoted', ...update },
        { type: 'Ready', ...update },
      ]),
];

/**
 * The approval gate of a ModelPromotion with `approval: Required`: true when the alias may move
 * (approval not required, or recorded in status now or before). Otherwise it has written the
 * status: phase AwaitingApproval with the evidence (the offline comparison, and a Progressive
 * rollout's shadow step when it ran) while nobody has decided (the annotation's
 * update wakes the reconcile), or Failed with who rejected it.
 */
export async function approvalAllowsMove(
  ctx: ReconcileContext,
  writer: PromotionWriter,
  spec: ModelPromotionSpec,
  phaseOnceApproved: 'Pending' | 'Progressing' = 'Pending',
): Promise<boolean> {
  const status = writer.status;
  if (spec.approval !== 'Required' || status.approval?.approvedBy) return true;
  const decision = decisionOf(writer.object.metadata.annotations);
  if (decision?.approved) {
    const message = `approved by ${decision.by}`;
    await writer
      .set({ phase: phaseOnceApproved, approval: { approvedBy: decision.by, approvedAt: timestamp() } })
      .condition(...approvedCondition({ status: 'True', reason: 'Approved', message }))
      .announce({ type: 'Normal', reason: 'Approved', message })
      .write();
    return true;
  }
  if (decision) {
    const message = `rejected by ${decision.by}`;
    await writer
      .set({ phase: 'Failed', approval: { rejectedBy: decision.by, rejectedAt: timestamp() } })
      .condition(...approvedCondition({ status: 'False', reason: 'Rejected', message }))
      .announce({ type: 'Warning', reason: 'Rejected', message })
      .write();
    return false;
  }
  const tags = await ctx.mlflow.versionTagsOf(spec.registeredModel, String(spec.version));
  const offline = tags && offlineEvidenceOf(tags);
  const message = `waiting for a person allowed to approve modelpromotions to annotate it ${approvalAnnotations.approvedBy} (or ${approvalAnnotations.rejectedBy})`;
  await writer
    .set({ phase: 'AwaitingApproval', evidence: { ...status.evidence, ...(offline ? { offline } : {}) } })
    .condition(...approvedCondition({ status: 'Unknown', reason: 'AwaitingApproval', message }))
    .announce({ type: 'Normal', reason: 'AwaitingApproval', message: `v${spec.version} awaits approval` })
    .write();
  return false;
}
