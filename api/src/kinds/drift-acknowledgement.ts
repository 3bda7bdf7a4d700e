import { driftActions } from '@prodclass/catalog/drift/report-store';
import { type Static, Type } from '@sinclair/typebox';
import type { KindDefinition } from '../crd.js';
import { Conditions, cel, Enum, ObservedGeneration, objectName, Timestamp } from '../schema.js';

export const DriftAcknowledgementSpec = Type.Object(
  {
    driftMonitor: Type.String({
      description: 'DriftMonitor in this namespace whose report is acknowledged.',
      minLength: 1,
      maxLength: 253,
      pattern: objectName,
    }),
    report: Type.String({
      description: "Id of the drift report (a uuid, as in the DriftMonitor's status.lastReport.id).",
      pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$',
    }),
    action: Enum(driftActions, { description: 'What is done about the report.' }),
    by: Type.String({
      description: 'Who acknowledges (the web console sets its authenticated user, or anonymous).',
      minLength: 1,
      maxLength: 256,
      ...cel({ rule: "self.trim() != ''", message: 'by must name who acknowledges' }),
    }),
    reason: Type.Optional(Type.String({ description: 'Why, for the record.', maxLength: 1024 })),
  },
  {
    description: 'Which report is acknowledged, by whom, with which action and why.',
    ...cel({
      rule: 'self == oldSelf',
      message: 'spec is immutable; create a new DriftAcknowledgement to acknowledge again',
    }),
  },
);
export type DriftAcknowledgementSpec = Static<typeof DriftAcknowledgementSpec>;

export const DriftAcknowledgementStatus = Type.Object(
  {
    phase: Type.Optional(
      Enum(['Recorded', 'Failed'], {
        description:
          'Recorded once it is in drift_acknowledgements; Failed when it cannot be (unknown monitor or report).',
      }),
    ),
    acknowledgementId: Type.Optional(
      Type.Integer({ description: 'Id of the row in drift_acknowledgements.', format: 'int64' }),
    ),
    acknowledgedAt: Type.Optional(Timestamp('When it was recorded.')),
    observedGeneration: Type.Optional(ObservedGeneration),
    conditions: Type.Optional(
      Conditions(
        'Ready and Recorded (reasons MonitorNotFound, ReportNotFound, InvalidSpec when refused), in the metav1.Condition shape.',
      ),
    ),
  },
  { description: 'Whether the acknowledgement is recorded.' },
);
export type DriftAcknowledgementStatus = Static<typeof DriftAcknowledgementStatus>;

export const driftAcknowledgement: KindDefinition = {
  kind: 'DriftAcknowledgement',
  plural: 'driftacknowledgements',
  shortNames: ['dack'],
  description:
    "DriftAcknowledgement records, once, that a person has seen a DriftMonitor's report and what is done about it (retrain, rollback or investigate), with who and why, in PostgreSQL (drift_acknowledgements), as `prodclass drift ack` does outside the cluster. It belongs to its DriftMonitor and goes with it. The spec is immutable: create another DriftAcknowledgement to acknowledge again.",
  spec: DriftAcknowledgementSpec,
  status: DriftAcknowledgementStatus,
  printerColumns: [
    { name: 'Monitor', type: 'string', jsonPath: '.spec.driftMonitor' },
    { name: 'Report', type: 'string', jsonPath: '.spec.report' },
    { name: 'Action', type: 'string', jsonPath: '.spec.action' },
    { name: 'By', type: 'string', jsonPath: '.spec.by' },
    { name: 'Phase', type: 'string', jsonPath: '.status.phase' },
  ],
};
