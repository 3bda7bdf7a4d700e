import { randomBytes } from 'node:crypto';
import { KubeApi } from '@prodclass/kube/api';
import { deploymentType } from '@prodclass/kube/objects';
import type pg from 'pg';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { RunningOperator } from '../../operator/src/operator.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import {
  adminConnection,
  applyCrds,
  createNamespace,
  deleteNamespace,
  kubectl,
  waitFor,
} from './support/cluster.js';
import { operatorSettings, Resources, runOperator } from './support/harness.js';
import { labelPredictions, logPredictions } from './support/labeled-predictions.js';
import { recordTraining } from './support/mlflow.js';

// A PredictionService's live quality against the real API server, PostgreSQL and MLflow: the test
// logs predictions of the served version, labels some through the feedback store (as `prodclass
// feedback load` does), and reads status.liveQuality and the operator's gauges as the operator
// recomputes them every second (LIVE_QUALITY_SECONDS=1). No local runner: the test writes the
// Deployment status the Deployment controller would.
const suffix = randomBytes(4).toString('hex');
const registeredModel = `op_lq_${suffix}`;
const kube = new KubeApi(adminConnection());
let namespace: string;
let database: TestDatabase;
let client: pg.Client;
let operator: RunningOperator;
let resources: Resources;
let version: string;

beforeAll(async () => {
  await applyCrds();
  namespace = await createNamespace('op-lq');
  database = await createTestDatabase();
  client = await database.connect();
  resources = new Resources(namespace);
  // test_accuracy is f1 + 0.02 = 0.9.
  ({ version } = await recordTraining({
    experiment: registeredModel,
    registeredModel,
    trainingRun: 'live-quality',
    f1: 0.88,
  }));
  operator = await runOperator(
    { ...operatorSettings(namespace, database.url), liveQualityMs: 1000 },
    async () => {
      throw new Error('no promotion expected in this file');
    },
  );
}, 120_000);

afterAll(async () => {
  await operator?.stop();
  await client?.end();
  await deleteNamespace(namespace);
  await database?.drop();
});

async function markRolledOut(name: string): Promise<void> {
  const stored: { metadata: { name: string; generation: number }; spec: { replicas: number } } =
    await kube.request('GET', deploymentType.path(namespace, `${name}-primary`));
  const replicas = stored.spec.replicas;
  await kube.mergePatch(
    deploymentType,
    namespace,
    stored.metadata.name,
    {
      status: {
        observedGeneration: stored.metadata.generation,
        replicas,
        updatedReplicas: replicas,
        readyReplicas: replicas,
        availableReplicas: replicas,
      },
    },
    'status',
  );
}

async function gauges(service: string): Promise<Record<string, number>> {
  const text = await operator.metrics.registry.metrics();
  const labels = `{namespace="${namespace}",service="${service}",model_version="${version}"}`;
  return Object.fromEntries(
    text
      .split('\n')
      .filter((line) => line.startsWith('prodclass_') && line.includes(labels))
      .map((line) => [line.slice(0, line.indexOf('{')), Number(line.slice(line.lastIndexOf(' ') + 1))]),
  );
}

test('status.liveQuality and the gauges follow the labels of the served version', async () => {
  await resources.create('PredictionService', 'predictionservices', 'classifier', {
    registeredModel,
    version: Number(version),
  });
  await waitFor('the primary Deployment', () =>
    kube.request('GET', deploymentType.path(namespace, 'classifier-primary')).then(
      () => true,
      () => false,
    ),
  );
  await markRolledOut('classifier');

  // Served, nothing logged yet: zeros, no accuracy.
  const empty = await resources.until(
    'predictionservices',
    'classifier',
    (o) => o.status?.liveQuality?.versions?.length === 1,
  );
  expect(empty.spec.liveQuality).toEqual({ window: '24h' });
  expect(empty.status.liveQuality).toMatchObject({
    window: '24h',
    versions: [
      { modelVersion: version, track: 'primary', served: 0, labeled: 0, coverage: 0, testAccuracy: 0.9 },
    ],
  });
  expect(empty.status.liveQuality.versions[0]).not.toHaveProperty('accuracy');

  // 400 predictions of the last two hours, 300 labeled: 210 right, 90 wrong.
  const now = Date.now();
  const ids = await logPredictions(client, {
    model: registeredModel,
    version,
    from: new Date(now - 2 * 3_600_000),
    to: new Date(now - 60_000),
    count: 400,
  });
  await labelPredictions(client, ids, 210, 90);
  const labeled = await resources.until(
    'predictionservices',
    'classifier',
    (o) => o.status?.liveQuality?.versions?.[0]?.labeled === 300,
  );
  const [quality] = labeled.status.liveQuality.versions;
  expect(quality).toMatchObject({ modelVersion: version, served: 400, labeled: 300, testAccuracy: 0.9 });
  expect(quality.coverage).toBeCloseTo(0.75, 12);
  expect(quality.accuracy).toBeCloseTo(0.7, 12);
  expect(quality.weightedF1).toBeGreaterThan(0);
  expect(quality.labelLagP50Seconds).toBeGreaterThanOrEqual(0);
  expect(
    Date.parse(labeled.status.liveQuality.to) - Date.parse(labeled.status.liveQuality.from),
  ).toBeGreaterThanOrEqual(24 * 3_600_000);

  const listed = await kubectl('get', 'psvc', 'classifier', '-n', namespace);
  expect(listed.stdout).toMatch(/LIVE-ACC/);
  expect(listed.stdout).toMatch(/classifier\s+\S+\s+\S+\s+\S+\s+\d+\s+0\.7\s/);

  await waitFor('the gauges', async () => (await gauges('classifier')).prodclass_live_labels === 300);
  const exported = await gauges('classifier');
  expect(exported.prodclass_live_accuracy).toBeCloseTo(0.7, 12);
  expect(exported.prodclass_label_coverage).toBeCloseTo(0.75, 12);
  expect(exported.prodclass_model_test_accuracy).toBe(0.9);

  // A deleted service's series go.
  await resources.api.request('DELETE', resources.path('predictionservices', 'classifier'));
  await waitFor('the series to go', async () => Object.keys(await gauges('classifier')).length === 0);
}, 180_000);
