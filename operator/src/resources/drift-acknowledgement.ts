import { DriftAcknowledgementSpec } from '@prodclass/api';
import { type DriftAction, driftActions } from '@prodclass/catalog/drift/report-store';
import { InvalidSpec } from './validate.js';

export type { DriftAcknowledgementStatus } from '@prodclass/api';
export type { DriftAcknowledgement } from '@prodclass/api/resources';
export { driftAcknowledgementType } from '@prodclass/api/resources';

// The patterns are the schema's (both fields declare one).
const schema = DriftAcknowledgementSpec.properties;
const objectName = new RegExp(schema.driftMonitor.pattern as string);
const uuid = new RegExp(schema.report.pattern as string);

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
