import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { KubeApi } from '@prodclass/kube/api';
import { deploymentType, resourceType, serviceType } from '@prodclass/kube/objects';
import { MlflowClient } from '@prodclass/registry/mlflow/client';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { registryPromote } from '../../operator/src/external/registry-promotion.js';
import type { RunningOperator } from '../../operator/src/operator.js';
import { stackEnv } from '../support/stack-env.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import {
  adminConnection,
  applyCrds,
  createNamespace,
  deleteNamespace,
  kubectl,
  waitFor,
} from './support/cluster.js';
import { operatorSettings, Resources, repository, runOperator } from './support/harness.js';

// spec.traffic against the real API server: the candidate handed to the primary pods (in-process
// canary and shadow), and with spec.traffic.gateway the weighted HTTPRoute, stored by an API server
// that has the Gateway API's own CRDs (v1.3.0, standard channel, fetched by the set-up from the Go
// module proxy: stack/gateway-api-crds.sh), so the route is checked against the real schema.
const suffix = Math.random().toString(16).slice(2, 10);
const registeredModel = `op_traffic_${suffix}`;
const mlflow = new MlflowClient(stackEnv().MLFLOW_TRACKING_URI);
const kube = new KubeApi(adminConnection());
const httpRouteType = resourceType('gateway.networking.k8s.io/v1', 'HTTPRoute', 'httproutes');
let namespace: string;
let database: TestDatabase;
let operator: RunningOperator;
let resources: Resources;
const versions: string[] = [];

// biome-ignore lint/suspicious/noExplicitAny: objects as JSON
type Json = any;

function gatewayApiCrd(): string {
  try {
    const directory = execFileSync('bash', [path.join(repository, 'stack/gateway-api-crds.sh'), '--locate'], {
      encoding: 'utf8',
    }).trim();
    return path.join(directory, 'gateway.networking.k8s.io_httproutes.yaml');
  } catch (error) {
    throw new Error(`the Gateway API CRDs are missing: ${(error as { stderr?: string }).stderr ?? error}`);
  }
}

const get = (type: typeof deploymentType, name: string): Promise<Json> =>
  kube.request('GET', type.path(namespace, name));
const envOf = (deployment: Json): Record<string, string> =>
  Object.fromEntries(
    deployment.spec.template.spec.containers[0].env.map((variable: Json) => [variable.name, variable.value]),
  );

async function markRolledOut(name: string): Promise<void> {
  const stored = await get(deploymentType, name);
  const replicas = stored.spec.replicas;
  await kube.mergePatch(
    deploymentType,
    namespace,
    name,
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

async function gone(type: typeof deploymentType, name: string): Promise<boolean> {
  return get(type, name).then(
    () => false,
    (error: Error) => /404/.test(error.message),
  );
}

beforeAll(async () => {
  await applyCrds();
  const crd = gatewayApiCrd();
  await kubectl('apply', '--server-side', '--force-conflicts', '--field-manager=prodclass-tests', '-f', crd);
  await kubectl('wait', '--for=condition=Established', '--timeout=30s', '-f', crd);
  namespace = await createNamespace('op-traffic');
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
  operator = await runOperator(
    operatorSettings(namespace, database.url),
    registryPromote(database.url, stackEnv().MLFLOW_TRACKING_URI),
  );
}, 120_000);

afterAll(async () => {
  await operator?.stop();
  await deleteNamespace(namespace);
  await database?.drop();
});

test('without a gateway, the primary pods load the candidate and split and mirror in process: no candidate track, no HTTPRoute', async () => {
  await resources.create('PredictionService', 'predictionservices', 'inproc', {
    registeredModel,
    version: Number(versions[0]),
    traffic: { candidate: { version: Number(versions[1]) }, canaryWeight: 10, shadowPercent: 50 },
  });
  await waitFor('the primary Deployment', async () => !(await gone(deploymentType, 'inproc-primary')));
  const primary = await get(deploymentType, 'inproc-primary');
  expect(envOf(primary)).toMatchObject({
    MODEL_URI: `models:/${registeredModel}/${versions[0]}`,
    CANDIDATE_MODEL_URI: `models:/${registeredModel}/${versions[1]}`,
    CANARY_WEIGHT: '10',
    SHADOW_PERCENT: '50',
  });
  await markRolledOut('inproc-primary');
  const ready = await resources.until(
    'predictionservices',
    'inproc',
    (o) => o.status?.candidateVersion === versions[1],
  );
  expect(Resources.condition(ready, 'Ready').status).toBe('True');
  expect(Resources.condition(ready, 'ModelResolved').message).toBe(
    `primary v${versions[0]} = v${versions[0]}, candidate v${versions[1]} = v${versions[1]}`,
  );
  expect(Resources.condition(ready, 'TrafficRouted')).toBeUndefined();
  expect(await gone(deploymentType, 'inproc-canary')).toBe(true);
  expect(await gone(httpRouteType, 'inproc')).toBe(true);
  expect((await get(serviceType, 'inproc')).spec.selector).not.toHaveProperty(['mlops.prodclass.dev/track']);
});

test('the API server refuses a canary track together with spec.traffic', async () => {
  await expect(
    resources.create('PredictionService', 'predictionservices', 'both', {
      registeredModel,
      version: Number(versions[0]),
      canary: { version: Number(versions[1]) },
      traffic: { candidate: { version: Number(versions[1]) }, canaryWeight: 10 },
    }),
  ).rejects.toThrow(/422 .*set at most one of canary/);
});

describe('with spec.traffic.gateway', () => {
  test('an HTTPRoute the Gateway API CRD accepts sends canaryWeight percent to the candidate track, whose Service is its own; the Service selects the primary alone', async () => {
    await resources.create('PredictionService', 'predictionservices', 'routed', {
      registeredModel,
      version: Number(versions[0]),
      traffic: {
        candidate: { version: Number(versions[1]) },
        canaryWeight: 10,
        gateway: { parentRefs: [{ name: 'public', namespace: 'infra', sectionName: 'https' }] },
      },
    });
    const found = await resources.until(
      'predictionservices',
      'routed',
      (o) => Resources.condition(o, 'TrafficRouted')?.status === 'True',
    );
    expect(Resources.condition(found, 'TrafficRouted').message).toBe(
      'HTTPRoute routed sends 10% to routed-canary, 90% to routed',
    );
    const route = await get(httpRouteType, 'routed');
    expect(route.spec.parentRefs).toEqual([
      {
        group: 'gateway.networking.k8s.io',
        kind: 'Gateway',
        name: 'public',
        namespace: 'infra',
        sectionName: 'https',
      },
    ]);
    // As stored: the CRD's defaults (a path match on /) are filled in, so the schema was applied.
    expect(route.spec.rules).toEqual([
      {
        matches: [{ path: { type: 'PathPrefix', value: '/' } }],
        backendRefs: [
          { group: '', kind: 'Service', name: 'routed', port: 80, weight: 90 },
          { group: '', kind: 'Service', name: 'routed-canary', port: 80, weight: 10 },
        ],
      },
    ]);
    expect(route.metadata.ownerReferences[0]).toMatchObject({ kind: 'PredictionService', name: 'routed' });

    expect((await get(serviceType, 'routed')).spec.selector).toMatchObject({
      'mlops.prodclass.dev/track': 'primary',
    });
    expect((await get(serviceType, 'routed-canary')).spec.selector).toMatchObject({
      'mlops.prodclass.dev/track': 'canary',
    });
    expect(envOf(await get(deploymentType, 'routed-canary')).MODEL_URI).toBe(
      `models:/${registeredModel}/${versions[1]}`,
    );
    // Shadow 0 and the split done by the Gateway: the primary pods load no candidate.
    expect(envOf(await get(deploymentType, 'routed-primary'))).not.toHaveProperty('CANDIDATE_MODEL_URI');
  });

  test('a new weight updates the route; removing the gateway deletes the route, the candidate Service and track, and the primary pods route in process', async () => {
    await resources.api.mergePatch(
      resourceType('mlops.prodclass.dev/v1alpha1', 'PredictionService', 'predictionservices'),
      namespace,
      'routed',
      { spec: { traffic: { canaryWeight: 50 } } },
    );
    await waitFor('the route at 50/50', async () => {
      const route = await get(httpRouteType, 'routed');
      return route.spec.rules[0].backendRefs.every((ref: Json) => ref.weight === 50);
    });
    await resources.api.mergePatch(
      resourceType('mlops.prodclass.dev/v1alpha1', 'PredictionService', 'predictionservices'),
      namespace,
      'routed',
      { spec: { traffic: { gateway: null } } },
    );
    await waitFor('the route, the candidate Service and track to go', async () =>
      (
        await Promise.all([
          gone(httpRouteType, 'routed'),
          gone(serviceType, 'routed-canary'),
          gone(deploymentType, 'routed-canary'),
        ])
      ).every(Boolean),
    );
    expect(envOf(await get(deploymentType, 'routed-primary'))).toMatchObject({
      CANDIDATE_MODEL_URI: `models:/${registeredModel}/${versions[1]}`,
      CANARY_WEIGHT: '50',
    });
    expect((await get(serviceType, 'routed')).spec.selector).not.toHaveProperty([
      'mlops.prodclass.dev/track',
    ]);
    const after = await resources.until(
      'predictionservices',
      'routed',
      (o) => !Resources.condition(o, 'TrafficRouted'),
    );
    expect(Resources.condition(after, 'CanaryReady')).toBeUndefined();
  });
});
