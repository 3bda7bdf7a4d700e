import type pg from 'pg';
import type { DriftReport, DriftSeverity, DriftTestResult } from './report.js';

export type DriftAction = 'retrain' | 'rollback' | 'investigate';
export const driftActions: readonly DriftAction[] = ['retrain', 'rollback', 'investigate'];

export interface DriftAcknowledgementRequest {
  reportId: string;
  action: DriftAction;
  by: string;
  reason?: string;
  /** The uid of the DriftAcknowledgement resource that asks; the same uid is recorded once. */
  requestUid?: string;
}

export interface DriftAcknowledgement {
  id: number;
  reportId: string;
  action: DriftAction;
  by: string;
  reason: string | null;
  acknowledgedAt: Date;
}

/** Stores a report; saving the same report again changes nothing. */
export async function saveDriftReport(pool: pg.Pool, report: DriftReport): Promise<void> {
  await pool.query(
    `insert into drift_reports (id, monitor, model_name, model_version, checked_at, current_from, current_to,
      current_samples, reference_kind, reference_from, reference_to, reference_samples, outcome, severity, tests)
    values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
    on conflict (id) do nothing`,
    [
      report.id,
      report.monitor,
      report.modelName,
      report.modelVersion,
      report.checkedAt,
      report.current.from,
      report.current.to,
      report.current.samples,
      report.reference.kind,
      report.reference.from,
      report.reference.to,
      report.reference.samples,
      report.outcome,
      report.severity,
      JSON.stringify(report.tests),
    ],
  );
}

interface ReportRow {
  id: string;
  monitor: string;
  model_name: string;
  model_version: string | null;
  checked_at: Date;
  current_from: Date;
  current_to: Date;
  current_samples: number;
  reference_kind: 'window' | 'trainingData';
  reference_from: Date | null;
  reference_to: Date | null;
  reference_samples: number;
  outcome: 'Checked' | 'InsufficientData';
  severity: DriftSeverity;
  tests: DriftTestResult[];
}

function toReport(row: ReportRow): DriftReport {
  return {
    id: row.id,
    monitor: row.monitor,
    modelName: row.model_name,
    modelVersion: row.model_version,
    checkedAt: row.checked_at,
    current: { from: row.current_from, to: row.current_to, samples: row.current_samples },
    reference: {
      kind: row.reference_kind,
      from: row.reference_from,
      to: row.reference_to,
      samples: row.reference_samples,
    },
    outcome: row.outcome,
    severity: row.severity,
    tests: row.tests,
  };
}

export async function driftReport(pool: pg.Pool, id: string): Promise<DriftReport | null> {
  const { rows } = await pool.query<ReportRow>('select * from drift_reports where id = $1', [id]);
  return rows[0] ? toReport(rows[0]) : null;
}

/** The monitor's most recently checked report, or null before its first check. */
export async function latestDriftReport(pool: pg.Pool, monitor: string): Promise<DriftReport | null> {
  const { rows } = await pool.query<ReportRow>(
    'select * from drift_reports where monitor = $1 order by checked_at desc, id desc limit 1',
    [monitor],
  );
  return rows[0] ? toReport(rows[0]) : null;
}

export class NoSuchDriftReport extends Error {
  override name = 'NoSuchDriftReport';
  constructor(readonly reportId: string) {
    super(`no drift report has id ${reportId}`);
  }
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface AcknowledgementRow {
  id: string;
  report_id: string;
  action: DriftAction;
  acknowledged_by: string;
  reason: string | null;
  acknowledged_at: Date;
}

function toAcknowledgement(row: AcknowledgementRow): DriftAcknowledgement {
  return {
    id: Number(row.id),
    reportId: row.report_id,
    action: row.action,
    by: row.acknowledged_by,
    reason: row.reason,
    acknowledgedAt: row.acknowledged_at,
  };
}

/**
 * Records who acknowledged a report, with which action and why. With a `requestUid` already
 * recorded, returns that record and records nothing.
 */
export async function acknowledgeDriftReport(
  pool: pg.Pool,
  request: DriftAcknowledgementRequest,
): Promise<DriftAcknowledgement> {
  if (!driftActions.includes(request.action))
    throw new Error(`action must be one of ${driftActions.join(', ')}, not ${request.action}`);
  if (request.by.trim() === '') throw new Error('an acknowledgement needs who gives it');
  if (!uuidPattern.test(request.reportId) || !(await driftReport(pool, request.reportId)))
    throw new NoSuchDriftReport(request.reportId);
  const requestUid = request.requestUid ?? null;
  const { rows } = await pool.query<AcknowledgementRow>(
    `insert into drift_acknowledgements (report_id, action, acknowledged_by, reason, request_uid)
    values ($1, $2, $3, $4, $5) on conflict (request_uid) do nothing returning *`,
    [request.reportId, request.action, request.by, request.reason ?? null, requestUid],
  );
  if (rows[0]) return toAcknowledgement(rows[0]);
  const recorded = await pool.query<AcknowledgementRow>(
    'select * from drift_acknowledgements where request_uid = $1',
    [requestUid],
  );
  return toAcknowledgement(recorded.rows[0] as AcknowledgementRow);
}

export async function driftAcknowledgements(
  pool: pg.Pool,
  reportId: string,
): Promise<DriftAcknowledgement[]> {
  const { rows } = await pool.query<AcknowledgementRow>(
    'select * from drift_acknowledgements where report_id = $1 order by id',
    [reportId],
  );
  return rows.map(toAcknowledgement);
}
