import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { registryPromote } from '../../operator/src/external/registry-promotion.js';
import type { RunningOperator } from '../../operator/src/operator.js';
import { stackEnv } from '../support/stack-env.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { applyCrds, createNamespace, deleteNamespace } from './support/cluster.js';
import { operatorSettings, Resources, runOperator } from './support/harness.js';
import { recordTraining } from './support/mlflow.js';

// The PredictionService controller watches ModelPromotions: one that succeeds wakes the services
// following its model and alias at once. The alias poll and the resync are an hour here, so
// nothing else can be what rolls the new version out. A Progressive rollout's steps wake them too.
const suffix = randomBytes(4).toString('hex');
const registeredModel = `op_wake_${suffix}`;
let namespace: string;
let database: TestDatabase;
let operator: RunningOperator;
let resources: Resources;
const versions: string[] = [];

const resolvedTo = (version: string | undefined) => (service: unknown) =>
  Resources.condition(service, 'ModelResolved')?.message === `primary @production = v${version}`;

beforeAll(async () => {
  await applyCrds();
  namespace = await createNamespace('op-wake');
  database = await createTestDatabase();
  resources = new Resources(namespace);
  for (let index = 0; index < 3; index++) {
    const { version } = await recordTraining({
      experiment: registeredModel,
      registeredModel,
      trainingRun: 'none/none',
      f1: 0.7,
      decision: 'promote',
    });
    versions.push(version);
  }
  operator = await runOperator(
    { ...operatorSettings(namespace, database.url), resyncMs: 3_600_000, aliasPollMs: 3_600_000 },
    registryPromote(database.url, stackEnv().MLFLOW_TRACKING_URI),
  );
});

afterAll(async () => {
  await operator?.stop();
  await deleteNamespace(namespace);
  await database?.drop();
});

test('a ModelPromotion that moves the alias wakes the PredictionService following it', async () => {
  const [v1, v2] = versions;
  const promote = async (name: string, version: string | undefined) => {
    await resources.create('ModelPromotion', 'modelpromotions', name, {
      registeredModel,
      version: Number(version),
      reason: 'promotion-wakes-services.test',
    });
    await resources.until('modelpromotions', name, (o) => o.status?.phase === 'Succeeded');
  };
  await promote('to-v1', v1);
  await resources.create('PredictionService', 'predictionservices', 'follower', {
    registeredModel,
    alias: 'production',
    replicas: 1,
  });
  await resources.until('predictionservices', 'follower', resolvedTo(v1));

  await promote('to-v2', v2);
  await resources.until('predictionservices', 'follower', resolvedTo(v2), 20_000);
});

test("a Progressive rollout's step wakes the PredictionService following the alias, and so does its end", async () => {
  const [, v2, v3] = versions;
  await resources.until('predictionservices', 'follower', resolvedTo(v2));
  await resources.create('ModelPromotion', 'modelpromotions', 'rollout-v3', {
    registeredModel,
    version: Number(v3),
    strategy: 'Progressive',
  });
  // No pods run here, so the shadow step waits for requests: long enough to look at the service.
  const shadowing = await resources.until(
    'predictionservices',
    'follower',
    (o) => o.status?.rollout?.step === 'shadow',
    20_000,
  );
  expect(shadowing.status.rollout).toMatchObject({ modelPromotion: 'rollout-v3', candidateVersion: v3 });
  await resources.api.request('DELETE', resources.path('modelpromotions', 'rollout-v3'));
  await resources.until('predictionservices', 'follower', (o) => o.status?.rollout === undefined, 20_000);
});
