import { randomBytes } from 'node:crypto';
import { KubeApi } from '@prodclass/kube/api';
import { deploymentType } from '@prodclass/kube/objects';
import { MlflowClient } from '@prodclass/registry/mlflow/client';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { horizontalPodAutoscalerType } from '../../operator/src/children/autoscaler.js';
import { podDisruptionBudgetType } from '../../operator/src/children/disruption-budget.js';
import type { RunningOperator } from '../../operator/src/operator.js';
import { predictionServiceType } from '../../operator/src/resources/types.js';
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
import { operatorSettings, Resources, runOperator } from './support/harness.js';

// PredictionService scaling against the real API server: spec.autoscaling becomes a
// HorizontalPodAutoscaler per track, two or more replicas a PodDisruptionBudget and a spread over
// nodes, and the CRD's scale subresource lets `kubectl scale` set the replicas. The local stack
// runs no controller-manager: nothing autoscales, so the test moves a Deployment's scale itself,
// as the HPA controller would.
const suffix = randomBytes(4).toString('hex');
const registeredModel = `op_scale_${suffix}`;
const mlflow = new MlflowClient(stackEnv().MLFLOW_TRACKING_URI);
const kube = new KubeApi(adminConnection());
let namespace: string;
let database: TestDatabase;
let operator: RunningOperator;
let resources: Resources;
let version: number;

// biome-ignore lint/suspicious/noExplicitAny: objects as JSON
type Json = any;

const get = (path: string): Promise<Json> => kube.request('GET', path);
const absent = async (path: string) =>
  get(path).then(
    () => false,
    (error: Error) => /404/.test(error.message),
  );
const deploymentPath = (service: string, track: string) =>
  deploymentType.path(namespace, `${service}-${track}`);
const autoscalerPath = (service: string, track: string) =>
  horizontalPodAutoscalerType.path(namespace, `${service}-${track}`);
const budgetPath = (service: string, track: string) =>
  podDisruptionBudgetType.path(namespace, `${service}-${track}`);

/** Waits until the object at `path` satisfies `predicate`, returning it. */
async function until(path: string, predicate: (object: Json) => boolean): Promise<Json> {
  let last: Json;
  await waitFor(`${path} to reach the expected state`, async () => {
    last = await get(path);
    return predicate(last);
  }).catch((error: Error) => {
    throw new Error(`${error.message}; last: ${JSON.stringify(last?.spec)}`);
  });
  return last;
}

const patchService = (name: string, patch: object) =>
  kube.mergePatch(predictionServiceType, namespace, name, { spec: patch });

beforeAll(async () => {
  await applyCrds();
  namespace = await createNamespace('op-scale');
  database = await createTestDatabase();
  resources = new Resources(namespace);
  await mlflow.ensureRegisteredModel(registeredModel);
  const run = await mlflow.createRun(await mlflow.experimentId(registeredModel), 'version-1');
  const created = await mlflow.createModelVersion({
    name: registeredModel,
    source: `${run.artifactUri}/model`,
    runId: run.runId,
  });
  version = Number(created.version);
  operator = await runOperator(operatorSettings(namespace, database.url), async () => {
    throw new Error('no promotion expected in this file');
  });
});

afterAll(async () => {
  await operator?.stop();
  await deleteNamespace(namespace);
  await database?.drop();
});

describe('spec.autoscaling', () => {
  let uid: string;

  beforeAll(async () => {
    const created = await resources.create('PredictionService', 'predictionservices', 'auto', {
      registeredModel,
      version,
      resources: { requests: { cpu: '100m' } },
      canary: { version, replicas: 1 },
      autoscaling: { minReplicas: 2, maxReplicas: 5, targetCPUUtilization: 70 },
    });
    uid = (created.metadata as { uid: string }).uid;
    await until(autoscalerPath('auto', 'canary'), () => true);
  });

  test('each track gets an HPA scaling its Deployment, owned by the service, and starts at minReplicas', async () => {
    for (const track of ['primary', 'canary']) {
      const autoscaler = await get(autoscalerPath('auto', track));
      expect(autoscaler.spec).toEqual({
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: `auto-${track}` },
        minReplicas: 2,
        maxReplicas: 5,
        metrics: [
          {
            type: 'Resource',
            resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } },
          },
        ],
      });
      expect(autoscaler.metadata.ownerReferences).toEqual([
        expect.objectContaining({ kind: 'PredictionService', name: 'auto', uid, controller: true }),
      ]);
      expect((await get(deploymentPath('auto', track))).spec.replicas).toBe(2);
    }
  });

  test('minReplicas 2: each track gets a PodDisruptionBudget of one pod and spreads over nodes', async () => {
    for (const track of ['primary', 'canary']) {
      const budget = await until(budgetPath('auto', track), () => true);
      expect(budget.spec.maxUnavailable).toBe(1);
      expect(budget.spec.selector.matchLabels).toMatchObject({
        'app.kubernetes.io/instance': 'auto',
        'mlops.prodclass.dev/track': track,
      });
      expect(budget.metadata.ownerReferences[0]).toMatchObject({ kind: 'PredictionService', uid });
      const pod = (await get(deploymentPath('auto', track))).spec.template.spec;
      expect(pod.topologySpreadConstraints).toEqual([
        {
          maxSkew: 1,
          topologyKey: 'kubernetes.io/hostname',
          whenUnsatisfiable: 'ScheduleAnyway',
          labelSelector: { matchLabels: budget.spec.selector.matchLabels },
        },
      ]);
    }
  });

  test('the operator keeps the replicas the HPA set, and updates the HPA when the spec changes', async () => {
    // What the HPA controller does: write the Deployment's scale subresource.
    await kube.request('PATCH', `${deploymentPath('auto', 'primary')}/scale`, {
      body: { spec: { replicas: 4 } },
      contentType: 'application/merge-patch+json',
    });
    await patchService('auto', {
      autoscaling: { maxReplicas: 8, targetCPUUtilization: null, targetRequestsPerSecond: 200 },
    });
    const autoscaler = await until(autoscalerPath('auto', 'primary'), (o) => o.spec.maxReplicas === 8);
    expect(autoscaler.spec.metrics).toEqual([
      {
        type: 'Pods',
        pods: {
          metric: { name: 'prodclass_prediction_requests_per_second' },
          target: { type: 'AverageValue', averageValue: '200' },
        },
      },
    ]);
    await until(autoscalerPath('auto', 'canary'), (o) => o.spec.maxReplicas === 8);
    // Both reconciles (after the scale and after the spec change) left the HPA's count alone.
    expect((await get(deploymentPath('auto', 'primary'))).spec.replicas).toBe(4);
    const service = await resources.until(
      'predictionservices',
      'auto',
      (o) => o.status?.observedGeneration === o.metadata.generation,
    );
    expect(service.status.replicas).toBe(0); // no Deployment controller here reports pods
  });

  test("the canary's HPA and budget go with the canary", async () => {
    await patchService('auto', { canary: null });
    await waitFor(
      'the canary HPA and budget to go',
      async () =>
        (await absent(autoscalerPath('auto', 'canary'))) && (await absent(budgetPath('auto', 'canary'))),
    );
    expect(await absent(autoscalerPath('auto', 'primary'))).toBe(false);
    expect(await absent(budgetPath('auto', 'primary'))).toBe(false);
  });

  test('a track the autoscaler is growing stays ready: a scale is not a rollout', async () => {
    // What the Deployment controller reports while two of the four pods the HPA asked for start.
    const primary = await get(deploymentPath('auto', 'primary'));
    await kube.mergePatch(
      deploymentType,
      namespace,
      'auto-primary',
      {
        status: {
          observedGeneration: primary.metadata.generation,
          replicas: 4,
          updatedReplicas: 4,
          readyReplicas: 2,
          availableReplicas: 2,
        },
      },
      'status',
    );
    const service = await resources.until('predictionservices', 'auto', (o) => o.status?.readyReplicas === 2);
    expect(Resources.condition(service, 'PrimaryReady')).toMatchObject({
      status: 'True',
      reason: 'RolledOut',
    });
    expect(Resources.condition(service, 'Ready')?.status).toBe('True');
    expect(service.status.servedVersion).toBe(String(version));
  });

  test('removing spec.autoscaling removes the HPA and budget, and spec.replicas counts again', async () => {
    await patchService('auto', { autoscaling: null, replicas: 1 });
    await waitFor(
      'the primary HPA and budget to go',
      async () =>
        (await absent(autoscalerPath('auto', 'primary'))) && (await absent(budgetPath('auto', 'primary'))),
    );
    const primary = await until(deploymentPath('auto', 'primary'), (o) => o.spec.replicas === 1);
    expect(primary.spec.template.spec.topologySpreadConstraints).toBeUndefined();
  });
});

describe('the scale subresource', () => {
  beforeAll(async () => {
    await resources.create('PredictionService', 'predictionservices', 'scaled', { registeredModel, version });
    await until(deploymentPath('scaled', 'primary'), (o) => o.spec.replicas === 1);
  });

  test('kubectl scale sets spec.replicas; the operator scales the Deployment and adds a budget', async () => {
    await kubectl('scale', '-n', namespace, 'psvc/scaled', '--replicas=3');
    expect((await resources.get('predictionservices', 'scaled')).spec.replicas).toBe(3);
    await until(deploymentPath('scaled', 'primary'), (o) => o.spec.replicas === 3);
    await until(budgetPath('scaled', 'primary'), () => true);
    expect(await absent(autoscalerPath('scaled', 'primary'))).toBe(true);
  });

  test("the scale subresource reads the primary track's pods and selector from the status", async () => {
    // What the Deployment controller reports once the pods exist.
    await kube.mergePatch(deploymentType, namespace, 'scaled-primary', { status: { replicas: 3 } }, 'status');
    await resources.until('predictionservices', 'scaled', (o) => o.status?.replicas === 3);
    const scale = await get(`${resources.path('predictionservices', 'scaled')}/scale`);
    expect(scale.spec.replicas).toBe(3);
    expect(scale.status.replicas).toBe(3);
    expect(scale.status.selector).toBe(
      'app.kubernetes.io/instance=scaled,app.kubernetes.io/component=model-server,mlops.prodclass.dev/track=primary',
    );
  });
});

describe('the CRD refuses', () => {
  const refused = (name: string, autoscaling: object, extra: object = {}) =>
    resources.create('PredictionService', 'predictionservices', name, {
      registeredModel,
      version,
      resources: { requests: { cpu: '100m' } },
      autoscaling,
      ...extra,
    });

  test('minReplicas above maxReplicas', async () => {
    await expect(
      refused('min-max', { minReplicas: 4, maxReplicas: 3, targetCPUUtilization: 70 }),
    ).rejects.toThrow(/422 .*minReplicas must not exceed maxReplicas/);
  });

  test('autoscaling without a target', async () => {
    await expect(refused('no-target', { maxReplicas: 3 })).rejects.toThrow(
      /422 .*autoscaling needs targetCPUUtilization, targetRequestsPerSecond or both/,
    );
  });

  test('a CPU target without a CPU request', async () => {
    await expect(
      refused(
        'no-request',
        { maxReplicas: 3, targetCPUUtilization: 70 },
        { resources: { limits: { cpu: 1 } } },
      ),
    ).rejects.toThrow(/422 .*targetCPUUtilization needs resources.requests.cpu/);
  });
});
