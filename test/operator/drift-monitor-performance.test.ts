import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { RunningOperator } from '../../operator/src/operator.js';
import { driftMonitorLabel } from '../../operator/src/reconcilers/drift-monitor.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { applyCrds, createNamespace, deleteNamespace, waitFor } from './support/cluster.js';
import { operatorSettings, Resources, runOperator } from './support/harness.js';
import { labelPredictions, logPredictions } from './support/labeled-predictions.js';
import { recordTraining } from './support/mlflow.js';

// The DriftMonitor performance test against the real API server, PostgreSQL and MLflow: the
// served version's test accuracy is 0.9 (its MLflow run's test_accuracy); the test logs a day of its
// predictions (and the day before, the Preceding reference) and labels 300 of the current day's
// through the feedback store, 195 right: live accuracy 0.65, a drop of 0.25 — ALERT under the
// default thresholds (0.1, 0.2, 0.3). A monitor that needs more labels than that reports
// insufficient labels instead, unless the version serves calibrated confidences: a second version,
// whose run logged a calibration temperature, has 400 unlabeled predictions of confidence 0.5 in the
// window, an estimated accuracy of 0.5 against its test accuracy 0.9.
const suffix = randomBytes(4).toString('hex');
const registeredModel = `op_dmp_${suffix}`;
const hour = 3_600_000;
let namespace: string;
let database: TestDatabase;
let client: pg.Client;
let operator: RunningOperator;
let resources: Resources;
let version: string;
let calibratedVersion: string;

beforeAll(async () => {
  await applyCrds();
  namespace = await createNamespace('op-dmp');
  database = await createTestDatabase();
  client = await database.connect();
  resources = new Resources(namespace);
  ({ version } = await recordTraining({
    experiment: registeredModel,
    registeredModel,
    trainingRun: 'performance',
    f1: 0.88,
  }));
  const now = Date.now();
  await logPredictions(client, {
    model: registeredModel,
    version,
    from: new Date(now - 46 * hour),
    to: new Date(now - 26 * hour),
    count: 300,
  });
  const current = await logPredictions(client, {
    model: registeredModel,
    version,
    from: new Date(now - 20 * hour),
    to: new Date(now - 60_000),
    count: 400,
  });
  await labelPredictions(client, current, 195, 105);
  ({ version: calibratedVersion } = await recordTraining({
    experiment: registeredModel,
    registeredModel,
    trainingRun: 'calibrated',
    f1: 0.88,
    calibrated: true,
  }));
  await logPredictions(client, {
    model: registeredModel,
    version: calibratedVersion,
    from: new Date(now - 20 * hour),
    to: new Date(now - 60_000),
    count: 400,
  });
  operator = await runOperator(operatorSettings(namespace, database.url), async () => {
    throw new Error('no promotion expected in this file');
  });
}, 120_000);

afterAll(async () => {
  await operator?.stop();
  await client?.end();
  await deleteNamespace(namespace);
  await database?.drop();
});

const monitorSpec = (minLabels: number) => ({
  registeredModel,
  modelVersion: version,
  currentWindow: '1d',
  referenceWindow: { source: 'Preceding', length: '1d' },
  tests: [{ feature: 'accuracy', test: 'performance' }],
  minSamples: 100,
  minLabels,
  onDrift: 'retrain',
  trainingRun: { experiment: registeredModel, autoPromote: { enabled: false } },
});

test('live accuracy 0.25 below the test accuracy: ALERT, Drifted, a score and a retrain', async () => {
  await resources.create('DriftMonitor', 'driftmonitors', 'accuracy', monitorSpec(200));
  const checked = await resources.until('driftmonitors', 'accuracy', (o) => o.status?.lastTrainingRun);
  const [performance] = checked.status.lastReport.tests;
  expect(performance).toMatchObject({
    feature: 'accuracy',
    test: 'performance',
    severity: 'ALERT',
    performance: {
      modelVersion: version,
      labeled: 300,
      minLabels: 200,
      testAccuracy: 0.9,
      insufficientLabels: false,
    },
  });
  expect(performance.statistic).toBeCloseTo(0.25, 12);
  expect(performance.performance.liveAccuracy).toBeCloseTo(0.65, 12);
  expect(checked.status.severity).toBe('ALERT');
  expect(Resources.condition(checked, 'Drifted')).toMatchObject({ status: 'True', reason: 'DriftDetected' });

  const scoreLine = async () =>
    (await operator.metrics.registry.metrics())
      .split('\n')
      .find(
        (line) =>
          line.startsWith('prodclass_drift_score{') &&
          line.includes(`monitor="${namespace}/accuracy"`) &&
          line.includes('test="performance"'),
      );
  await waitFor('the performance score', async () => (await scoreLine()) !== undefined);
  expect(Number((await scoreLine())?.split(' ').at(-1))).toBeCloseTo(0.25, 12);

  const selector = encodeURIComponent(`${driftMonitorLabel}=accuracy`);
  const runs = (await resources.getAt(`${resources.path('trainingruns')}?labelSelector=${selector}`)).items;
  expect(runs.map((run: { metadata: { name: string } }) => run.metadata.name)).toEqual([
    checked.status.lastTrainingRun,
  ]);
}, 120_000);

test('fewer labels than minLabels: insufficient labels, severity OK, no retrain', async () => {
  await resources.create('DriftMonitor', 'driftmonitors', 'few-labels', monitorSpec(301));
  const checked = await resources.until('driftmonitors', 'few-labels', (o) => o.status?.lastReport);
  expect(checked.status.severity).toBe('OK');
  const [performance] = checked.status.lastReport.tests;
  expect(performance).not.toHaveProperty('statistic');
  expect(performance).toMatchObject({
    severity: 'OK',
    performance: { labeled: 300, minLabels: 301, insufficientLabels: true },
  });
  expect(Resources.condition(checked, 'Drifted')).toMatchObject({ status: 'False' });
  expect(Resources.condition(checked, 'Ready')?.message).toContain(
    `performance not judged: insufficient labels (300 of version ${version}, minLabels 301)`,
  );
  expect(checked.status.lastTrainingRun).toBeUndefined();
}, 120_000);

test('no labels but calibrated confidences: judged on the estimated accuracy', async () => {
  await resources.create('DriftMonitor', 'driftmonitors', 'estimated', {
    ...monitorSpec(200),
    modelVersion: calibratedVersion,
    onDrift: 'none',
  });
  const checked = await resources.until('driftmonitors', 'estimated', (o) => o.status?.lastReport);
  const [performance] = checked.status.lastReport.tests;
  expect(performance).toMatchObject({
    severity: 'CRITICAL',
    performance: {
      modelVersion: calibratedVersion,
      labeled: 0,
      testAccuracy: 0.9,
      insufficientLabels: true,
      judgedOn: 'estimate',
    },
  });
  expect(performance.performance.estimatedAccuracy).toBeCloseTo(0.5, 6);
  expect(performance.statistic).toBeCloseTo(0.4, 6);
  expect(Resources.condition(checked, 'Ready')?.message).toContain(
    `performance judged on the estimated accuracy: insufficient labels (0 of version ${calibratedVersion}, minLabels 200)`,
  );
}, 120_000);
