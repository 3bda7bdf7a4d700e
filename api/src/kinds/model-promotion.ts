import { type Static, Type } from '@sinclair/typebox';
import type { KindDefinition } from '../crd.js';
import { defaultAlias, defaultRegisteredModel } from '../defaults.js';
import { Alias, Conditions, cel, Enum, ObservedGeneration, RegisteredModel, Timestamp } from '../schema.js';
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
  },
  {
    description: 'Which version the alias should point at, and why.',
    ...cel({
      rule: 'self == oldSelf',
      message: 'spec is immutable; create a new ModelPromotion to move the alias again',
    }),
  },
);
export type ModelPromotionSpec = Static<typeof ModelPromotionSpec>;

export const ModelPromotionStatus = Type.Object(
  {
    phase: Type.Optional(
      Enum(['Pending', 'AwaitingApproval', 'Succeeded', 'Failed'], {
        description:
          'Pending until the alias has moved (Succeeded) or the promotion was refused or rejected (Failed); AwaitingApproval while spec.approval Required waits for a person.',
      }),
    ),
    previousVersion: Type.Optional(
      Type.String({ description: 'Version the alias pointed at before (empty when it was unset).' }),
    ),
    promotedAt: Type.Optional(Timestamp('When the alias moved.')),
    approval: Type.Optional(PromotionApprovalRecord),
    evidence: Type.Optional(PromotionEvidence),
    observedGeneration: Type.Optional(ObservedGeneration),
    conditions: Type.Optional(
      Conditions(
        'Ready and Promoted (reason VersionRejected when refused), and Approved with spec.approval Required (reasons AwaitingApproval, Approved, Rejected), in the metav1.Condition shape.',
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
    'ModelPromotion points a registry alias at a model version, once, and records the decision in MLflow and PostgreSQL. A rollback is a ModelPromotion to an earlier version. A version whose promotion was rejected is refused. The spec is immutable: create another ModelPromotion to move the alias again.',
  spec: ModelPromotionSpec,
  status: ModelPromotionStatus,
  printerColumns: [
    { name: 'Model', type: 'string', jsonPath: '.spec.registeredModel' },
    { name: 'Version', type: 'integer', jsonPath: '.spec.version' },
    { name: 'Alias', type: 'string', jsonPath: '.spec.alias' },
    { name: 'Phase', type: 'string', jsonPath: '.status.phase' },
    {
      name: 'Previous',
      type: 'string',
      description: 'Version the alias pointed at before',
      jsonPath: '.status.previousVersion',
    },
  ],
};
