import { randomBytes, randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type RunningOperator, startOperator } from '../../operator/src/operator.js';
import { driftAcknowledgementType } from '../../operator/src/resources/drift-acknowledgement.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { adminConnection, applyCrds, createNamespace, deleteNamespace, waitFor } from './support/cluster.js';
import { operatorSettings, Resources, testLog } from './support/harness.js';

// DriftAcknowledgements against the real API server and PostgreSQL: a DriftMonitor of a model with
// no predictions makes a real (InsufficientData) report on creation, which is then acknowledged.
const model = `op_dack_${randomBytes(4).toString('hex')}`;
let namespace: string;
let database: TestDatabase;
let client: pg.Client;
let operator: RunningOperator | undefined;
let resources: Resources;
let reportId: string;

async function startTheOperator(): Promise<void> {
  operator = await startOperator(
    operatorSettings(namespace, database.url),
    adminConnection(),
    async () => {
      throw new Error('no promotion expected in this file');
    },
    testLog('operator'),
  );
}

async function eventReasons(name: string): Promise<string[]> {
  const events = await resources.getAt(
    `/api/v1/namespaces/${namespace}/events?fieldSelector=${encodeURIComponent(`involvedObject.name=${name}`)}`,
  );
  return events.items.map((event: { reason: string }) => event.reason);
}

async function acknowledgementRows(report: string) {
  const { rows } = await client.query(
    `select id, action, acknowledged_by, reason, request_uid from drift_acknowledgements
     where report_id = $1 order by id`,
    [report],
  );
  return rows;
}

beforeAll(async () => {
  await applyCrds();
  namespace = await createNamespace('op-dack');
  database = await createTestDatabase();
  client = await database.connect();
  resources = new Resources(namespace);
  await startTheOperator();
  await resources.create('DriftMonitor', 'driftmonitors', 'watched', { registeredModel: model });
  const monitor = await resources.until('driftmonitors', 'watched', (o) => o.status?.lastReport);
  reportId = monitor.status.lastReport.id;
});

afterAll(async () => {
  await operator?.stop();
  await deleteNamespace(namespace);
  await database?.drop();
});

const acknowledge = (name: string, spec: Record<string, unknown>) =>
  resources.create('DriftAcknowledgement', 'driftacknowledgements', name, spec);

test('an acknowledgement is recorded once with who and why, even when recorded again after a restart', async () => {
  await acknowledge('alice-retrains', {
    driftMonitor: 'watched',
    report: reportId,
    action: 'retrain',
    by: 'alice',
    reason: 'summer catalogue',
  });
  const recorded = await resources.until(
    'driftacknowledgements',
    'alice-retrains',
    (o) => o.status?.phase === 'Recorded',
  );
  const rows = await acknowledgementRows(reportId);
  expect(rows).toEqual([
    {
      id: String(recorded.status.acknowledgementId),
      action: 'retrain',
      acknowledged_by: 'alice',
      reason: 'summer catalogue',
      request_uid: recorded.metadata.uid,
    },
  ]);
  expect(recorded.status.observedGeneration).toBe(1);
  expect(Date.parse(recorded.status.acknowledgedAt)).not.toBeNaN();
  expect(Resources.condition(recorded, 'Ready')).toMatchObject({ status: 'True', reason: 'Recorded' });
  expect(Resources.condition(recorded, 'Recorded')).toMatchObject({ status: 'True', observedGeneration: 1 });
  const monitor = await resources.get('driftmonitors', 'watched');
  expect(recorded.metadata.ownerReferences).toEqual([
    {
      apiVersion: 'mlops.prodclass.dev/v1alpha1',
      kind: 'DriftMonitor',
      name: 'watched',
      uid: monitor.metadata.uid,
    },
  ]);
  await waitFor(
    'the Recorded and Acknowledged Events',
    async () =>
      (await eventReasons('alice-retrains')).includes('Recorded') &&
      (await eventReasons('watched')).includes('Acknowledged'),
  );

  // The operator died after writing the row, before the status: the next one finds the row.
  await operator?.stop();
  await resources.api.mergePatch(
    driftAcknowledgementType,
    namespace,
    'alice-retrains',
    { status: null },
    'status',
  );
  expect((await resources.get('driftacknowledgements', 'alice-retrains')).status).toBeUndefined();
  await startTheOperator();
  const again = await resources.until(
    'driftacknowledgements',
    'alice-retrains',
    (o) => o.status?.phase === 'Recorded',
  );
  expect(again.status.acknowledgementId).toBe(recorded.status.acknowledgementId);
  expect(await acknowledgementRows(reportId)).toEqual(rows);
});

test('an unknown report or monitor fails with a clear condition and records nothing', async () => {
  const unknownReport = randomUUID();
  await acknowledge('unknown-report', {
    driftMonitor: 'watched',
    report: unknownReport,
    action: 'investigate',
    by: 'bob',
  });
  await acknowledge('unknown-monitor', {
    driftMonitor: 'nobody',
    report: reportId,
    action: 'rollback',
    by: 'bob',
  });
  const noReport = await resources.until(
    'driftacknowledgements',
    'unknown-report',
    (o) => o.status?.phase === 'Failed',
  );
  expect(Resources.condition(noReport, 'Ready')).toMatchObject({
    status: 'False',
    reason: 'ReportNotFound',
    message: `DriftMonitor watched has no report ${unknownReport}`,
  });
  const noMonitor = await resources.until(
    'driftacknowledgements',
    'unknown-monitor',
    (o) => o.status?.phase === 'Failed',
  );
  expect(Resources.condition(noMonitor, 'Recorded')).toMatchObject({
    status: 'False',
    reason: 'MonitorNotFound',
    message: 'DriftMonitor nobody not found',
  });
  expect((await acknowledgementRows(unknownReport)).length).toBe(0);
  expect((await acknowledgementRows(reportId)).map((row) => row.acknowledged_by)).toEqual(['alice']);
  await waitFor('the ReportNotFound Event', async () =>
    (await eventReasons('unknown-report')).includes('ReportNotFound'),
  );
});

test('the spec is immutable', async () => {
  await expect(
    resources.api.mergePatch(driftAcknowledgementType, namespace, 'alice-retrains', {
      spec: { by: 'mallory' },
    }),
  ).rejects.toThrow(/spec is immutable/);
});
