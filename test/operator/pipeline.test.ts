import { randomBytes } from 'node:crypto';
import { deploymentType, serviceType } from '@prodclass/kube/objects';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { predictionServiceType } from '../../operator/src/resources/types.js';
import { localUrlAnnotation } from '../../stack/local-runner/service-proxy.js';
import { type Pipeline, Resources, startPipeline } from './support/harness.js';

// The whole pipeline through the operator and the local runner: real loads, real training, the
// registry promotion module, real model servers behind the Service's local proxy.
const suffix = randomBytes(4).toString('hex');
const registeredModel = `op_e2e_${suffix}`;
const experiment = `op_e2e_${suffix}`;
let namespace: string;
let resources: Resources;
let pipeline: Pipeline | undefined;

beforeAll(async () => {
  pipeline = await startPipeline('op-e2e');
  ({ namespace, resources } = pipeline);
});

afterAll(async () => {
  await pipeline?.stop();
});

interface Prediction {
  prdtypecode: number;
  model: { name: string; version: string; alias: string | null };
}

async function predict(url: string): Promise<Prediction> {
  const response = await fetch(`${url}/predict`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      designation: 'Figurine Star Wars Dark Vador 30 cm',
      description: 'jouet de collection',
    }),
  });
  if (!response.ok) throw new Error(`predict answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as Prediction;
}

const source = { synthetic: { rows: 4000, seed: 11 } };
const training = (dataVersion: string, maxFeatures: number) => ({
  dataVersion,
  registeredModel,
  experiment,
  hyperparameters: { maxFeatures, maxIter: 300 },
  autoPromote: { minF1: 0.2 },
});

test('40% → trained and promoted → served; +3% → better version → rolled out without a failed request', async () => {
  await resources.create('PredictionService', 'predictionservices', 'classifier', { registeredModel });
  await resources.create('DataIncrement', 'dataincrements', 'initial', { source, toPercent: 40 });
  // Few features first, so the second run is clearly better on the same held-out split.
  await resources.create('TrainingRun', 'trainingruns', 'first', training('initial', 200));

  const first = await resources.until(
    'trainingruns',
    'first',
    (o) => o.status?.phase === 'Failed' || Resources.condition(o, 'Promoted')?.status === 'True',
    400_000,
  );
  expect(first.status.phase).toBe('Succeeded');
  expect(first.status.dataVersion).toBe('initial');
  expect(first.status.metrics.f1Weighted).toBeGreaterThan(0.2);
  const firstVersion: string = first.status.modelVersion;

  const ready = await resources.until(
    'predictionservices',
    'classifier',
    (o) => Resources.condition(o, 'Ready')?.status === 'True' && o.status.servedVersion === firstVersion,
    240_000,
  );
  expect(ready.status.readyReplicas).toBe(1);
  const service = await resources.getAt(serviceType.path(namespace, 'classifier'));
  expect(service.metadata.annotations).toMatchObject({
    'prometheus.io/scrape': 'true',
    'prometheus.io/path': '/metrics',
  });
  expect(service.metadata.ownerReferences[0]).toMatchObject({
    kind: 'PredictionService',
    name: 'classifier',
    controller: true,
  });
  const primary = await resources.getAt(deploymentType.path(namespace, 'classifier-primary'));
  expect(primary.metadata.ownerReferences[0]).toMatchObject({
    kind: 'PredictionService',
    name: 'classifier',
  });
  expect(primary.spec.template.metadata.annotations['mlops.prodclass.dev/model-version']).toBe(firstVersion);
  const url: string = service.metadata.annotations[localUrlAnnotation];
  expect((await predict(url)).model).toMatchObject({ name: registeredModel, version: firstVersion });

  // Traffic all through the rollout: every request must succeed.
  const versions = new Set<string>();
  const failures: string[] = [];
  let sending = true;
  const traffic = (async () => {
    while (sending) {
      await predict(url).then(
        (prediction) => versions.add(prediction.model.version),
        (error: Error) => failures.push(error.message),
      );
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  })();

  await resources.create('DataIncrement', 'dataincrements', 'week-2', { source, incrementPercent: 3 });
  await resources.create('TrainingRun', 'trainingruns', 'second', training('week-2', 5000));
  const second = await resources.until(
    'trainingruns',
    'second',
    (o) =>
      o.status?.phase === 'Failed' ||
      (o.status?.promotion && Resources.condition(o, 'Promoted')?.status !== 'Unknown'),
    400_000,
  );
  expect(second.status.promotion).toMatchObject({ decision: 'promote' });
  const secondVersion: string = second.status.modelVersion;
  const promotion = await resources.until(
    'modelpromotions',
    'second-promotion',
    (o) => o.status?.phase === 'Succeeded',
  );
  expect(promotion.status.previousVersion).toBe(firstVersion);

  await resources.until(
    'predictionservices',
    'classifier',
    (o) => Resources.condition(o, 'Ready')?.status === 'True' && o.status.servedVersion === secondVersion,
    240_000,
  );
  const served = await predict(url);
  sending = false;
  await traffic;
  expect(served.model).toMatchObject({ version: secondVersion, alias: 'production' });
  expect(failures).toEqual([]);
  expect([...versions]).toEqual(expect.arrayContaining([firstVersion, secondVersion]));
  pinned.first = firstVersion;
  pinned.second = secondVersion;
}, 900_000);

const pinned = { first: '', second: '' };

test('a canary pinned to the earlier version shares the Service; removing it deletes its Deployment', async () => {
  await resources.api.mergePatch(predictionServiceType, namespace, 'classifier', {
    spec: { canary: { version: Number(pinned.first), replicas: 1 } },
  });
  const withCanary = await resources.until(
    'predictionservices',
    'classifier',
    (o) =>
      Resources.condition(o, 'CanaryReady')?.status === 'True' &&
      Resources.condition(o, 'Ready')?.status === 'True',
    240_000,
  );
  expect(withCanary.status).toMatchObject({
    servedVersion: pinned.second,
    canaryVersion: pinned.first,
    readyReplicas: 2,
  });
  const service = await resources.getAt(serviceType.path(namespace, 'classifier'));
  const url: string = service.metadata.annotations[localUrlAnnotation];
  const seen = new Set<string>();
  for (let i = 0; i < 20; i++) seen.add((await predict(url)).model.version);
  expect([...seen].sort()).toEqual([pinned.first, pinned.second].sort());

  await resources.api.mergePatch(predictionServiceType, namespace, 'classifier', { spec: { canary: null } });
  const withoutCanary = await resources.until(
    'predictionservices',
    'classifier',
    (o) => o.status.observedGeneration === o.metadata.generation && !Resources.condition(o, 'CanaryReady'),
  );
  expect(withoutCanary.status.canaryVersion).toBeUndefined();
  await expect(resources.getAt(deploymentType.path(namespace, 'classifier-canary'))).rejects.toThrow(/404/);
}, 300_000);
