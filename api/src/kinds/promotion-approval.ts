import { Type } from '@sinclair/typebox';
import { defaultPromotionApproval } from '../defaults.js';
import { Enum, Timestamp } from '../schema.js';

/**
 * The annotations a person writes on a ModelPromotion to approve or reject it. The API server's
 * ValidatingAdmissionPolicy (manifests/approval/) admits them only when they name the user making
 * the request and RBAC grants that user the `approve` verb on the promotion.
 */
export const approvalAnnotations = {
  approvedBy: 'mlops.prodclass.dev/approved-by',
  rejectedBy: 'mlops.prodclass.dev/rejected-by',
} as const;

export const promotionApprovals = ['Required', 'NotRequired'] as const;

export const PromotionApprovalSetting = Enum(promotionApprovals, {
  description:
    'Required: the promotion waits in phase AwaitingApproval, with the evidence in status, until a person allowed to `approve` modelpromotions approves (or rejects) it. NotRequired: the alias moves at once.',
  default: defaultPromotionApproval,
});

export const PromotionApprovalRecord = Type.Object(
  {
    approvedBy: Type.Optional(
      Type.String({ description: 'User who approved (as the API server knew them).' }),
    ),
    approvedAt: Type.Optional(Timestamp('When the operator recorded the approval.')),
    rejectedBy: Type.Optional(
      Type.String({ description: 'User who rejected (as the API server knew them).' }),
    ),
    rejectedAt: Type.Optional(Timestamp('When the operator recorded the rejection.')),
  },
  { description: 'Who approved or rejected the promotion, and when (spec.approval Required only).' },
);

const Score = (description: string) => Type.Number({ description, minimum: 0, maximum: 1 });

export const PromotionEvidence = Type.Object(
  {
    offline: Type.Optional(
      Type.Object(
        {
          decision: Type.Optional(
            Type.String({ description: "Training's automatic promotion decision (promote or reject)." }),
          ),
          reason: Type.Optional(Type.String({ description: 'Why training decided so.' })),
          candidateF1: Type.Optional(Score("The candidate's weighted F1 on its own test set.")),
          championVersion: Type.Optional(
            Type.String({ description: 'Version the candidate was compared with (the champion then).' }),
          ),
          championF1: Type.Optional(Score("The champion's weighted F1 on the comparison rows.")),
          candidateComparisonF1: Type.Optional(Score("The candidate's weighted F1 on the comparison rows.")),
          comparisonRows: Type.Optional(
            Type.Integer({ description: 'Held-out rows both were scored on.', minimum: 0 }),
          ),
          mcnemarMidP: Type.Optional(
            Score('One-sided exact McNemar mid-p of the candidate being better on the comparison rows.'),
          ),
        },
        {
          description:
            "The offline comparison with the champion that training recorded on the candidate's MLflow version tags.",
        },
      ),
    ),
    shadow: Type.Optional(
      Type.Object(
        {
          agreement: Score('Share of shadow pairs where the candidate predicted what the champion answered.'),
          requests: Type.Integer({ description: 'Shadow pairs the agreement was measured on.', minimum: 0 }),
          from: Timestamp('Start of the shadow step.'),
          to: Timestamp('When it was measured.'),
        },
        { description: 'The shadow step of a Progressive rollout, which ran before the approval.' },
      ),
    ),
  },
  { description: 'What a person approving the promotion looks at (spec.approval Required only).' },
);
