import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type RunningOperator, startOperator } from '../../operator/src/operator.js';
import { driftMonitorLabel } from '../../operator/src/reconcilers/drift-monitor.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { adminConnection, applyCrds, createNamespace, deleteNamespace, waitFor } from './support/cluster.js';
import { operatorSettings, Resources, testLog } from './support/harness.js';

// The operator checks drift in the stack's PostgreSQL, on inference_log rows this file writes: a
// week whose texts are much longer than the month before, and a model with too few rows. The
// operator's clock is moved forward (through restarts) to reach the next scheduled check and the
// end of the cooldown without waiting.
const suffix = randomBytes(4).toString('hex');
const driftedModel = `op_dm_${suffix}`;
const quietModel = `op_dm_quiet_${suffix}`;
const day = 86_400_000;
const startedAt = new Date();
let namespace: string;
let database: TestDatabase;
let client: pg.Client;
let operator: RunningOperator | undefined;
let resources: Resources;
let clockOffsetMs = 0;
const clock = () => new Date(Date.now() + clockOffsetMs);
const setClock = (at: Date) => {
  clockOffsetMs = at.getTime() - Date.now();
};

async function startTheOperator(): Promise<RunningOperator> {
  operator = await startOperator(
    operatorSettings(namespace, database.url),
    adminConnection(),
    async () => {
      throw new Error('no promotion expected in this file');
    },
    testLog('operator'),
    clock,
  );
  return operator;
}

/** Stops the operator, moves the clock (the stopped one must not see the jump), starts it again. */
async function restartTheOperator(at?: Date): Promise<RunningOperator> {
  await operator?.stop();
  if (at) setClock(at);
  return startTheOperator();
}

/**
 * `count` predictions of `model` spread evenly over [from, to): text lengths from `length`
 * (0..39 added), ten classes and confidences alike in every window; with `newWord`, every text
 * carries it and 3 of its 10 tokens are unknown instead of 1.
 */
async function logPredictions(
  model: string,
  from: Date,
  to: Date,
  count: number,
  length: number,
  newWord?: string,
) {
  await client.query(
    `insert into inference_log (prediction_id, predicted_at, model_name, model_version, prdtypecode,
       confidence, text_length, designation, token_count, unknown_token_count)
     select gen_random_uuid(), $2::timestamptz + (i * ($3::timestamptz - $2::timestamptz) / $4),
       $1, '1', 10 + (i % 10), 0.5 + (i % 50) / 100.0, $5 + (i % 40), concat_ws(' ', 'synthetic', $6::text), 10,
       case when $6::text is null then 1 else 3 end
     from generate_series(0, $4 - 1) as i`,
    [model, from, to, count, length, newWord ?? null],
  );
}

beforeAll(async () => {
  await applyCrds();
  namespace = await createNamespace('op-dm');
  database = await createTestDatabase();
  client = await database.connect();
  resources = new Resources(namespace);
  // An hour's margin at the windows' edges, so the first check sees exactly these rows.
  const hour = 3_600_000;
  const weekAgo = startedAt.getTime() - 7 * day;
  const at = (ms: number) => new Date(ms);
  await logPredictions(driftedModel, at(weekAgo - 30 * day + hour), at(weekAgo - hour), 3000, 60);
  await logPredictions(
    driftedModel,
    at(weekAgo + hour),
    at(startedAt.getTime() - 60_000),
    1500,
    400,
    'glorbix',
  );
  await logPredictions(quietModel, at(weekAgo - 30 * day), startedAt, 100, 60);
  await startTheOperator();
});

afterAll(async () => {
  await operator?.stop();
  await deleteNamespace(namespace);
  await database?.drop();
});

const retrainingMonitor = {
  registeredModel: driftedModel,
  schedule: '0 6 * * *',
  minSamples: 500,
  onDrift: 'retrain',
  cooldown: '48h',
  trainingRun: { experiment: `op_dm_${suffix}`, autoPromote: { enabled: false } },
};

interface OwnedRun {
  metadata: { name: string; ownerReferences: { kind: string; name: string; controller?: boolean }[] };
}

async function ownedRuns(monitor: string): Promise<OwnedRun[]> {
  const selector = encodeURIComponent(`${driftMonitorLabel}=${monitor}`);
  return (await resources.getAt(`${resources.path('trainingruns')}?labelSelector=${selector}`)).items;
}

async function metricLines(running: RunningOperator, monitor: string): Promise<string[]> {
  const text = await running.metrics.registry.metrics();
  return text.split('\n').filter((line) => line.includes(`monitor="${namespace}/${monitor}"`));
}

async function eventReasons(name: string): Promise<string[]> {
  const events = await resources.getAt(
    `/api/v1/namespaces/${namespace}/events?fieldSelector=${encodeURIComponent(`involvedObject.name=${name}`)}`,
  );
  return events.items.map((event: { reason: string }) => event.reason);
}

test('longer texts: ALERT on the text-length tests, a report, metrics, Events and one TrainingRun', async () => {
  await resources.create('DriftMonitor', 'driftmonitors', 'longer-texts', retrainingMonitor);
  const checked = await resources.until('driftmonitors', 'longer-texts', (o) => o.status?.lastReport);
  const { status } = checked;
  expect(['ALERT', 'CRITICAL']).toContain(status.severity);
  expect(status.modelName).toBe(driftedModel);
  expect(status.observedGeneration).toBe(1);
  expect(Resources.condition(checked, 'Drifted')).toMatchObject({ status: 'True', reason: 'DriftDetected' });
  expect(Resources.condition(checked, 'InsufficientData')).toMatchObject({ status: 'False' });
  expect(Resources.condition(checked, 'Ready')).toMatchObject({ status: 'True', reason: 'Checked' });
  expect(status.lastReport).toMatchObject({
    outcome: 'Checked',
    currentSamples: 1500,
    referenceSamples: 3000,
  });
  const severityOf = (feature: string, test: string) =>
    status.lastReport.tests.find(
      (t: { feature: string; test: string }) => t.feature === feature && t.test === test,
    )?.severity;
  for (const test of ['psi', 'ks', 'jensen_shannon']) expect(severityOf('text_length', test)).not.toBe('OK');
  expect(severityOf('predicted_class', 'chi2')).toBe('OK');
  expect(severityOf('confidence', 'ks')).toBe('OK');
  // The OOV share went from 0.1 to 0.3: the status names the word behind it.
  expect(severityOf('tokens', 'oov_share')).not.toBe('OK');
  expect(status.lastReport.tests.find((t: { test: string }) => t.test === 'oov_share').unknownWords).toEqual([
    { word: 'glorbix', count: 1500 },
  ]);
  expect(Resources.condition(checked, 'Drifted')?.message).toContain('new words: glorbix ×1500');
  expect(new Date(status.nextCheckTime).getUTCHours()).toBe(6);

  const stored = await client.query('select severity, monitor from drift_reports where id = $1', [
    status.lastReport.id,
  ]);
  expect(stored.rows).toEqual([{ severity: status.severity, monitor: `${namespace}/longer-texts` }]);

  const runs = await ownedRuns('longer-texts');
  expect(runs.map((run) => run.metadata.name)).toEqual([
    `longer-texts-retrain-${status.lastReport.id.slice(0, 8)}`,
  ]);
  expect(status.lastTrainingRun).toBe(runs[0]?.metadata.name);
  expect(runs[0]?.metadata.ownerReferences[0]).toMatchObject({
    kind: 'DriftMonitor',
    name: 'longer-texts',
    controller: true,
  });
  const run = await resources.get('trainingruns', status.lastTrainingRun);
  expect(run.spec).toMatchObject({ registeredModel: driftedModel, dataVersion: 'latest' });

  // The gauges follow the status write, so they may lag the status by a moment.
  const severityLine = `prodclass_drift_severity{monitor="${namespace}/longer-texts"} ${status.severity === 'ALERT' ? 2 : 3}`;
  await waitFor('the drift gauges', async () =>
    (await metricLines(operator as RunningOperator, 'longer-texts')).includes(severityLine),
  );
  const lines = await metricLines(operator as RunningOperator, 'longer-texts');
  const psi = lines.find((line) => line.includes('feature="text_length",test="psi"'));
  expect(Number(psi?.split(' ').at(-1))).toBeGreaterThanOrEqual(0.2);
  await waitFor('the drift and retrain Events', async () => {
    const reasons = await eventReasons('longer-texts');
    return reasons.includes('DriftDetected') && reasons.includes('RetrainCreated');
  });
});

test('no second TrainingRun: not after a restart, nor at the next check within the cooldown', async () => {
  const before = await resources.get('driftmonitors', 'longer-texts');
  const running = await restartTheOperator();
  // The restarted operator exports the last check from the status before any new check.
  await waitFor('the metrics from the status', async () =>
    (await metricLines(running, 'longer-texts')).some((line) => line.startsWith('prodclass_drift_severity')),
  );
  const unchanged = await resources.get('driftmonitors', 'longer-texts');
  expect(unchanged.status.lastReport.id).toBe(before.status.lastReport.id);

  // Stopped over the next scheduled check: one check when it comes back, still drifted, cooling down.
  await restartTheOperator(new Date(new Date(before.status.nextCheckTime).getTime() + 3 * 3_600_000));
  const rechecked = await resources.until(
    'driftmonitors',
    'longer-texts',
    (o) => o.status?.lastReport?.id !== before.status.lastReport.id,
  );
  expect(['ALERT', 'CRITICAL']).toContain(rechecked.status.severity);
  expect(rechecked.status.lastTrainingRun).toBe(before.status.lastTrainingRun);
  expect(rechecked.status.lastRetrainTime).toBe(before.status.lastRetrainTime);
  expect((await ownedRuns('longer-texts')).length).toBe(1);
  await waitFor('the cooldown Event', async () =>
    (await eventReasons('longer-texts')).includes('RetrainCoolingDown'),
  );
});

test('after the cooldown, drift retrains again', async () => {
  const before = await resources.get('driftmonitors', 'longer-texts');
  await restartTheOperator(new Date(new Date(before.status.lastRetrainTime).getTime() + 49 * 3_600_000));
  const retrained = await resources.until(
    'driftmonitors',
    'longer-texts',
    (o) => o.status?.lastTrainingRun !== before.status.lastTrainingRun,
  );
  expect(retrained.status.lastTrainingRun).toBe(
    `longer-texts-retrain-${retrained.status.lastReport.id.slice(0, 8)}`,
  );
  expect((await ownedRuns('longer-texts')).length).toBe(2);
});

test('too few predictions: InsufficientData, drift unknown, severity OK, no TrainingRun', async () => {
  setClock(new Date());
  await resources.create('DriftMonitor', 'driftmonitors', 'quiet', {
    ...retrainingMonitor,
    registeredModel: quietModel,
  });
  const checked = await resources.until('driftmonitors', 'quiet', (o) => o.status?.lastReport);
  expect(checked.status).toMatchObject({
    severity: 'OK',
    lastReport: { outcome: 'InsufficientData', tests: [] },
  });
  expect(Resources.condition(checked, 'InsufficientData')).toMatchObject({
    status: 'True',
    reason: 'TooFewSamples',
  });
  expect(Resources.condition(checked, 'Drifted')).toMatchObject({ status: 'Unknown' });
  expect(Resources.condition(checked, 'Ready')).toMatchObject({ status: 'True' });
  expect(await ownedRuns('quiet')).toEqual([]);
  const lines = await metricLines(operator as RunningOperator, 'quiet');
  expect(lines).toEqual([`prodclass_drift_severity{monitor="${namespace}/quiet"} 0`]);
});

test('a PredictionService that is not there is reported', async () => {
  await resources.create('DriftMonitor', 'driftmonitors', 'no-service', { predictionService: 'absent' });
  const missing = await resources.until('driftmonitors', 'no-service', (o) =>
    Resources.condition(o, 'Ready'),
  );
  expect(Resources.condition(missing, 'Ready')).toMatchObject({ status: 'False', reason: 'TargetNotFound' });
});

test('the API server applies the defaults and refuses what the operator could not act on', async () => {
  const created = await resources.create('DriftMonitor', 'driftmonitors', 'defaults', {
    predictionService: 'classifier',
  });
  expect(created.spec).toMatchObject({
    schedule: '0 6 * * *',
    timeZone: 'UTC',
    currentWindow: '7d',
    referenceWindow: { source: 'Preceding', length: '30d' },
    thresholds: { warning: 0.1, alert: 0.2, critical: 0.3 },
    minSamples: 500,
    onDrift: 'none',
    cooldown: '24h',
  });
  const refused = async (spec: object) =>
    (await resources
      .create('DriftMonitor', 'driftmonitors', `bad-${randomBytes(3).toString('hex')}`, spec)
      .then(
        () => 'accepted',
        (error: Error) => error.message,
      )) as string;
  expect(await refused({})).toContain('set exactly one of predictionService and registeredModel');
  expect(await refused({ registeredModel: 'm', referenceWindow: { source: 'TrainingData' } })).toContain(
    'a TrainingData reference needs a predictionService or a modelVersion',
  );
  expect(
    await refused({ registeredModel: 'm', thresholds: { warning: 0.5, alert: 0.2, critical: 0.3 } }),
  ).toContain('thresholds must satisfy warning <= alert <= critical');
  expect(await refused({ registeredModel: 'm', tests: [{ feature: 'tokens', test: 'ks' }] })).toContain(
    'tokens oov_share',
  );
  expect(await refused({ registeredModel: 'm', currentWindow: '7 days' })).toContain('spec.currentWindow');
  expect(await refused({ registeredModel: 'm', onDrift: 'page' })).toContain('spec.onDrift');
});
