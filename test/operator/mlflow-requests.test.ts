import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { registryPromote } from '../../operator/src/external/registry-promotion.js';
import type { RunningOperator } from '../../operator/src/operator.js';
import { stackEnv } from '../support/stack-env.js';
import { createTestDatabase } from '../support/test-database.js';
import { applyCrds, createNamespace, deleteNamespace } from './support/cluster.js';
import { CountingProxy } from './support/counting-proxy.js';
import { finishJob, operatorSettings, Resources, runOperator } from './support/harness.js';
import { recordTraining } from './support/mlflow.js';

// The operator reaches MLflow only through a counting proxy; this file plays the training Jobs
// (straight to MLflow, uncounted), so the counts are the operator's own requests per TrainingRun.
const suffix = randomBytes(4).toString('hex');
const registeredModel = `op_req_${suffix}`;
const experiment = `op_req_${suffix}`;
let namespace: string;
let database: { url: string; drop(): Promise<void> };
let operator: RunningOperator;
let resources: Resources;
let proxy: CountingProxy;

beforeAll(async () => {
  await applyCrds();
  namespace = await createNamespace('op-mlflow-req');
  database = await createTestDatabase();
  resources = new Resources(namespace);
  proxy = new CountingProxy(stackEnv().MLFLOW_TRACKING_URI);
  await proxy.start();
  operator = await runOperator(
    { ...operatorSettings(namespace, database.url), mlflowTrackingUri: proxy.url },
    registryPromote(database.url, proxy.url),
  );
});

afterAll(async () => {
  await operator?.stop();
  await proxy?.stop();
  await deleteNamespace(namespace);
  await database?.drop();
});

const isSearch = (request: string) => /\/(runs\/search|experiments\/get-by-name)$/.test(request);

/** One TrainingRun from creation to its end, with the MLflow requests the operator made for it. */
async function trainingRunRequests(name: string, decision: 'promote' | 'reject') {
  await resources.create('TrainingRun', 'trainingruns', name, { registeredModel, experiment });
  await resources.until('trainingruns', name, (o) => o.status?.jobName === `${name}-train`);
  const { result } = await recordTraining({
    experiment,
    registeredModel,
    trainingRun: `${namespace}/${name}`,
    f1: 0.8,
    decision,
  });
  proxy.take();
  await finishJob(namespace, `${name}-train`, 'Complete', result);
  await resources.until('trainingruns', name, (o) =>
    decision === 'promote'
      ? Resources.condition(o, 'Promoted')?.status === 'True'
      : o.status?.phase === 'Succeeded',
  );
  const requests = proxy.take();
  process.stderr.write(
    `MLflow requests after ${name}-train ended (${decision}): ${JSON.stringify(requests)}\n`,
  );
  return requests;
}

test('after a rejected run’s Job ends, the operator asks MLflow nothing', async () => {
  expect(await trainingRunRequests('rejected', 'reject')).toEqual({});
});

test('after a promoted run’s Job ends, MLflow hears only the promotion, never a search', async () => {
  const requests = await trainingRunRequests('promoted', 'promote');
  expect(Object.keys(requests).filter(isSearch)).toEqual([]);
  // What is left moves the alias: the ModelPromotion's own checks and the registry's promotion.
  expect(Object.keys(requests).length).toBeGreaterThan(0);
});
