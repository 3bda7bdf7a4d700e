import { type DriftAction, driftActions } from '@prodclass/catalog/drift/report-store';
import type { Condition } from '@prodclass/kube/conditions';
import { type KubeObject, resourceType } from '@prodclass/kube/objects';
import { apiVersion } from './types.js';
import { InvalidSpec } from './validate.js';

export const driftAcknowledgementType = resourceType(
  apiVersion,
  'DriftAcknowledgement',
  'driftacknowledgements',
);

export interface DriftAcknowledgementSpec {
  driftMonitor: string;
  report: string;
  action: DriftAction;
  by: string;
  reason?: string;
}

export interface DriftAcknowledgementStatus {
  phase?: 'Recorded' | 'Failed';
  acknowledgementId?: number;
  acknowledgedAt?: string;
  observedGeneration?: number;
  conditions?: Condition[];
}

export interface DriftAcknowledgement extends KubeObject {
  apiVersion: string;
  kind: string;
  spec: DriftAcknowledgementSpec;
  status?: DriftAcknowledgementStatus;
}

const objectName = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The spec as the CRD's schema admits it, checked again at the operator's edge. */
export function validDriftAcknowledgementSpec(raw: unknown): DriftAcknowledgementSpec {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    throw new InvalidSpec('spec must be an object');
  const spec = raw as Record<string, unknown>;
  const text = (field: string, pattern: RegExp, what: string) => {
    const value = spec[field];
    if (typeof value !== 'string' || !pattern.test(value))
      throw new InvalidSpec(`spec.${field} must be ${what}`);
    return value;
  };
  const action = spec.action;
  if (!driftActions.includes(action as DriftAction))
    throw new InvalidSpec(`spec.action must be one of ${driftActions.join(', ')}`);
  if (spec.reason !== undefined && typeof spec.reason !== 'string')
    throw new InvalidSpec('spec.reason must be text');
  return {
    driftMonitor: text('driftMonitor', objectName, 'the name of a DriftMonitor'),
    report: text('report', uuid, 'a report id (uuid)'),
    action: action as DriftAction,
    by: text('by', /\S/, 'who acknowledges'),
    ...(spec.reason === undefined ? {} : { reason: spec.reason as string }),
  };
}
