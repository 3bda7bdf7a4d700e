import { randomBytes } from 'node:crypto';
import { withDatabase } from '@prodclass/catalog/database';
import { KubeApi } from '@prodclass/kube/api';
import { deploymentType } from '@prodclass/kube/objects';
import { MlflowClient } from '@prodclass/registry/mlflow/client';
import { promoteVersion } from '@prodclass/registry/promotion/promote';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { registryPromote } from '../../operator/src/external/registry-promotion.js';
import type { RunningOperator } from '../../operator/src/operator.js';
import { stackEnv } from '../support/stack-env.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { adminConnection, applyCrds, createNamespace, deleteNamespace } from './support/cluster.js';
import { operatorSettings, Resources, runOperator } from './support/harness.js';

// The PredictionService reconciler's paths other than a plain rollout, against the real API server
// and MLflow: an alias or version that does not exist, replicas 0, a canary that is not ready, an
// alias moved by the registry promotion module with no ModelPromotion (only the alias poll sees it),
// and the Deployment it stores (rolling update with maxUnavailable 0, readiness on /ready). No local
// runner: the test writes the Deployment status the Deployment controller would.
const suffix = randomBytes(4).toString('hex');
const registeredModel = `op_psvc_${suffix}`;
const mlflow = new MlflowClient(stackEnv().MLFLOW_TRACKING_URI);
const kube = new KubeApi(adminConnection());
let namespace: string;
let database: TestDatabase;
let operator: RunningOperator;
let resources: Resources;
const versions: string[] = [];

// biome-ignore lint/suspicious/noExplicitAny: Deployments as JSON
type Json = any;

const reasonOf = (object: Json, type: string) => Resources.condition(object, type)?.reason;

function deployment(service: string, track: 'primary' | 'canary'): Promise<Json> {
  return kube.request('GET', deploymentType.path(namespace, `${service}-${track}`));
}

/** What the Deployment controller writes once every replica of the current template is ready. */
async function markRolledOut(service: string, track: 'primary' | 'canary'): Promise<void> {
  const stored = await deployment(service, track);
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

async function promote(alias: string, version: string): Promise<void> {
  await withDatabase(database.url, (db) =>
    promoteVersion(
      { mlflow, db },
      {
        registeredModel,
        alias,
        version: Number(version),
        reason: 'moved by hand, outside any ModelPromotion',
        requestedBy: 'prediction-service-paths.test',
      },
    ),
  );
}

beforeAll(async () => {
  await applyCrds();
  namespace = await createNamespace('op-psvc');
  database = await createTestDatabase();
  resources = new Resources(namespace);
  await mlflow.ensureRegisteredModel(registeredModel);
  const experimentId = await mlflow.experimentId(registeredModel);
  for (let index = 0; index < 2; index++) {
    const run = await mlflow.createRun(experimentId, `version-${index + 1}`);
    const created = await mlflow.createModelVersion({
      name: registeredModel,
      source: `${run.artifactUri}/model`,
      runId: run.runId,
    });
    versions.push(created.version);
  }
  // A resync (a safety net) must not be what finds the moved alias: only the alias poll may.
  operator = await runOperator(
    { ...operatorSettings(namespace, database.url), resyncMs: 3_600_000, aliasPollMs: 2000 },
    registryPromote(database.url, stackEnv().MLFLOW_TRACKING_URI),
  );
});

afterAll(async () => {
  await operator?.stop();
  await deleteNamespace(namespace);
  await database?.drop();
});

test('an alias that does not exist: AliasNotFound, and no Deployment', async () => {
  await resources.create('PredictionService', 'predictionservices', 'no-alias', {
    registeredModel,
    alias: 'nowhere',
  });
  const found = await resources.until(
    'predictionservices',
    'no-alias',
    (o) => reasonOf(o, 'Ready') === 'AliasNotFound',
  );
  expect(Resources.condition(found, 'ModelResolved')).toMatchObject({
    status: 'False',
    reason: 'AliasNotFound',
    message: `${registeredModel}@nowhere does not exist (yet)`,
  });
  expect(Resources.condition(found, 'Ready').status).toBe('False');
  await expect(deployment('no-alias', 'primary')).rejects.toThrow(/404/);
});

test('a pinned version that does not exist: VersionNotFound, and no Deployment', async () => {
  await resources.create('PredictionService', 'predictionservices', 'no-version', {
    registeredModel,
    version: 999,
  });
  const found = await resources.until(
    'predictionservices',
    'no-version',
    (o) => reasonOf(o, 'Ready') === 'VersionNotFound',
  );
  expect(Resources.condition(found, 'ModelResolved')).toMatchObject({
    status: 'False',
    reason: 'VersionNotFound',
    message: `${registeredModel} has no version 999`,
  });
  await expect(deployment('no-version', 'primary')).rejects.toThrow(/404/);
});

test('InvalidSpec cannot reach the reconciler through this API server: the CRD refuses alias and version together', async () => {
  // The reconciler's own check (validPredictionServiceSpec) guards objects stored under an older
  // CRD; with this CRD every spec it would refuse is refused at the API server already.
  await expect(
    resources.create('PredictionService', 'predictionservices', 'both', {
      registeredModel,
      alias: 'production',
      version: 1,
    }),
  ).rejects.toThrow(/422 .*set at most one of alias and version/);
});

test('replicas 0: the Deployment is scaled to zero, PrimaryReady says NoReplicas, never Ready', async () => {
  await resources.create('PredictionService', 'predictionservices', 'zero', {
    registeredModel,
    version: Number(versions[0]),
    replicas: 0,
  });
  const found = await resources.until(
    'predictionservices',
    'zero',
    (o) => reasonOf(o, 'PrimaryReady') === 'NoReplicas',
  );
  expect(Resources.condition(found, 'Ready')).toMatchObject({ status: 'False', reason: 'PrimaryNotReady' });
  expect((await deployment('zero', 'primary')).spec.replicas).toBe(0);
  // Even a Deployment controller reporting the (empty) rollout done does not make it Ready.
  await markRolledOut('zero', 'primary');
  await resources.until('predictionservices', 'zero', (o) => o.status?.readyReplicas === 0, 30_000);
  const after = await resources.get('predictionservices', 'zero');
  expect(Resources.condition(after, 'Ready').status).toBe('False');
  expect(after.status.servedVersion).toBeUndefined();
});

describe('a served alias with a canary', () => {
  beforeAll(async () => {
    await promote('champion', versions[0] as string);
    await resources.create('PredictionService', 'predictionservices', 'served', {
      registeredModel,
      alias: 'champion',
      replicas: 2,
      canary: { version: Number(versions[1]), replicas: 1 },
    });
    await resources.until('predictionservices', 'served', (o) => reasonOf(o, 'Ready') === 'PrimaryNotReady');
  });

  test('the stored Deployment rolls out without taking a ready pod away, and is ready only on /ready', async () => {
    const primary = await deployment('served', 'primary');
    expect(primary.spec.strategy).toEqual({
      type: 'RollingUpdate',
      rollingUpdate: { maxSurge: 1, maxUnavailable: 0 },
    });
    const [container] = primary.spec.template.spec.containers;
    expect(container.readinessProbe.httpGet).toEqual({ path: '/ready', port: 'http', scheme: 'HTTP' });
    expect(container.ports).toContainEqual(expect.objectContaining({ name: 'http' }));
    const canary = await deployment('served', 'canary');
    expect(canary.spec.strategy.rollingUpdate.maxUnavailable).toBe(0);
    expect(canary.spec.template.spec.containers[0].readinessProbe.httpGet.path).toBe('/ready');
  });

  test('primary rolled out, canary not: CanaryNotReady, still serving the primary', async () => {
    await markRolledOut('served', 'primary');
    const found = await resources.until(
      'predictionservices',
      'served',
      (o) => reasonOf(o, 'Ready') === 'CanaryNotReady',
    );
    expect(Resources.condition(found, 'PrimaryReady')).toMatchObject({ status: 'True', reason: 'RolledOut' });
    expect(Resources.condition(found, 'CanaryReady')).toMatchObject({
      status: 'False',
      reason: 'RollingOut',
    });
    expect(found.status.servedVersion).toBe(versions[0]);
    expect(found.status.canaryVersion).toBeUndefined();

    await markRolledOut('served', 'canary');
    const ready = await resources.until(
      'predictionservices',
      'served',
      (o) => Resources.condition(o, 'Ready')?.status === 'True',
    );
    expect(ready.status).toMatchObject({ servedVersion: versions[0], canaryVersion: versions[1] });
  });

  test('an alias moved by the registry module alone (no ModelPromotion) is rolled out by the alias poll', async () => {
    const before = await deployment('served', 'primary');
    await promote('champion', versions[1] as string);
    const modelPromotions = await resources.getAt(resources.path('modelpromotions'));
    expect(modelPromotions.items).toEqual([]);
    await resources.until(
      'predictionservices',
      'served',
      (o) =>
        Resources.condition(o, 'ModelResolved')?.message?.startsWith(`primary @champion = v${versions[1]}`),
      20_000,
    );
    const after = await deployment('served', 'primary');
    expect(after.spec.template.spec.containers[0].env).toContainEqual({
      name: 'MODEL_URI',
      value: `models:/${registeredModel}/${versions[1]}`,
    });
    expect(after.metadata.generation).toBeGreaterThan(before.metadata.generation);
    await markRolledOut('served', 'primary');
    await resources.until('predictionservices', 'served', (o) => o.status?.servedVersion === versions[1]);
  });
});
