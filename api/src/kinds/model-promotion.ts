import { type Static, Type } from '@sinclair/typebox';
import type { KindDefinition } from '../crd.js';
import { defaultAlias, defaultRegisteredModel, modelPromotionDefaults } from '../defaults.js';
import { Alias, Conditions, cel, Enum, ObservedGeneration, RegisteredModel, Timestamp } from '../schema.js';
import { ProgressiveSettings, PromotionStrategy, RolloutStatus } from './progressive-rollout.js';
import {
  PromotionApprovalRecord,
  PromotionApprovalSetting,
  PromotionEvidence,
} from './promotion-approval.js';

export const ModelPromotionSpec = Type.Object(
  {
    registeredModel: RegisteredModel({
      description: 'MLflow registered model whose alias moves.',
      default: defaultRegisteredModel,
    }),
    version: Type.Integer({
      description: 'Model version the alias should point at (an earlier one for a rollback).',
      minimum: 1,
    }),
    alias: Alias({ description: 'Registry alias to move.', default: defaultAlias }),
    reason: Type.Optional(
      Type.String({
        description: 'Why, for the promotion history (MLflow version tags and the promotions table).',
        maxLength: 1024,
      }),
    ),
    approval: PromotionApprovalSetting,
    impactPreview: Type.Boolean({
      description:
        'Before the alias moves, run a Job that scores the latest catalog snapshot with the current alias version and this version, and record in status.impactPreview the share of products whose class would change and the largest flips.',
      default: modelPromotionDefaults.impactPreview,
    }),
    strategy: PromotionStrategy,
    progressive: Type.Optional(ProgressiveSettings),
  },
  {
    description: 'Which version the alias should point at, and why.',
    ...cel(
      {
        rule: 'self == oldSelf',
        message: 'spec is immutable; create a new ModelPromotion to move the alias again',
      },
      {
        rule: "!has(self.progressive) || self.strategy == 'Progressive'",
        message: 'progressive needs strategy Progressive',
      },
    ),
  },
);
export type ModelPromotionSpec = Static<typeof ModelPromotionSpec>;

const ClassFlip = Type.Object({
  from: Type.Integer({ description: 'Class code the champion predicts.' }),
  to: Type.Integer({ description: 'Class code the candidate predicts.' }),
  count: Type.Integer({ description: 'Products of the snapshot that flip so.', minimum: 0 }),
});

export const ImpactPreview = Type.Object(
  {
    jobName: Type.String({ description: 'The Job that scored the catalog.' }),
    championVersion: Type.Optional(Type.String({ description: 'Version the alias pointed at when scored.' })),
    candidateVersion: Type.Optional(Type.String({ description: 'The promoted version.' })),
    dataVersion: Type.Optional(Type.String({ description: 'The completed load whose catalog was scored.' })),
    products: Type.Optional(Type.Integer({ description: 'Products scored.', minimum: 0 })),
    changed: Type.Optional(
      Type.Integer({ description: 'Products whose predicted class would change.', minimum: 0 }),
    ),
    changedShare: Type.Optional(Type.Number({ description: 'changed / products.', minimum: 0, maximum: 1 })),
    flips: Type.Optional(
      Type.Array(ClassFlip, {
        description: 'The largest flips, most products first (at most 10).',
        maxItems: 10,
      }),
    ),
    completionTime: Type.Optional(Timestamp('When the preview was recorded.')),
  },
  { description: 'The catalog impact preview (spec.impactPreview), recorded before the alias moves.' },
);
export type ImpactPreview = Static<typeof ImpactPreview>;

export const ModelPromotionStatus = Type.Object(
  {
    phase: Type.Optional(
      Enum(['Pending', 'Progressing', 'AwaitingApproval', 'Succeeded', 'Failed'], {
        description:
          'Pending until the alias has moved (Succeeded) or the promotion was refused, rejected or stopped by its analysis (Failed); Progressing while a Progressive rollout goes through its steps; AwaitingApproval while spec.approval Required waits for a person.',
      }),
    ),
    previousVersion: Type.Optional(
      Type.String({ description: 'Version the alias pointed at before (empty when it was unset).' }),
    ),
    promotedAt: Type.Optional(Timestamp('When the alias moved.')),
    approval: Type.Optional(PromotionApprovalRecord),
    evidence: Type.Optional(PromotionEvidence),
    impactPreview: Type.Optional(ImpactPreview),
    rollout: Type.Optional(RolloutStatus),
    observedGeneration: Type.Optional(ObservedGeneration),
    conditions: Type.Optional(
      Conditions(
        'Ready, Promoted (reason VersionRejected when refused, AnalysisFailed when a rollout step failed a check), with spec.impactPreview ImpactPreviewed, with spec.approval Required Approved (reasons AwaitingApproval, Approved, Rejected), and with strategy Progressive Progressing (the step and why it waits), in the metav1.Condition shape.',
      ),
    ),
  },
  { description: 'Whether the alias moved.' },
);
export type ModelPromotionStatus = Static<typeof ModelPromotionStatus>;

export const modelPromotion: KindDefinition = {
  kind: 'ModelPromotion',
  plural: 'modelpromotions',
  shortNames: ['mp'],
  description:
    'ModelPromotion points a registry alias at a model version, once, and records the decision in MLflow and PostgreSQL; with strategy Progressive, only after shadow and canary steps judged by an analysis. A rollback is a ModelPromotion to an earlier version. A version whose promotion was rejected is refused. The spec is immutable: create another ModelPromotion to move the alias again.',
  spec: ModelPromotionSpec,
  status: ModelPromotionStatus,
  printerColumns: [
    { name: 'Model', type: 'string', jsonPath: '.spec.registeredModel' },
    { name: 'Version', type: 'integer', jsonPath: '.spec.version' },
    { name: 'Alias', type: 'string', jsonPath: '.spec.alias' },
    { name: 'Phase', type: 'string', jsonPath: '.status.phase' },
    {
      name: 'Step',
      type: 'string',
      description: 'The step of a Progressive rollout',
      jsonPath: '.status.rollout.step.name',
    },
    {
      name: 'Weight',
      type: 'integer',
      description: 'Percent of products the candidate answers in the step',
      jsonPath: '.status.rollout.step.canaryWeight',
    },
    {
      name: 'Previous',
      type: 'string',
      description: 'Version the alias pointed at before',
      jsonPath: '.status.previousVersion',
    },
  ],
};
