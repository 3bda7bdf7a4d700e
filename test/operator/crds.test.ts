import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { adminConfig, applyCrds, createNamespace, deleteNamespace, kubectl } from './support/cluster.js';

const group = 'mlops.prodclass.dev';
const version = 'v1alpha1';
let namespace: string;
let objects: k8s.CustomObjectsApi;

beforeAll(async () => {
  await applyCrds();
  namespace = await createNamespace('crds');
  objects = adminConfig().makeApiClient(k8s.CustomObjectsApi);
});

afterAll(async () => {
  await deleteNamespace(namespace);
});

function create(plural: string, kind: string, name: string, spec: unknown) {
  return objects.createNamespacedCustomObject({
    group,
    version,
    namespace,
    plural,
    body: { apiVersion: `${group}/${version}`, kind, metadata: { name }, spec },
  });
}

/** The API server's complaint about an object, as the person who applied it reads it. */
async function rejection(plural: string, kind: string, spec: unknown): Promise<string> {
  const error = await create(plural, kind, `invalid-${Math.random().toString(36).slice(2, 8)}`, spec).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof k8s.ApiException)) throw new Error(`expected a rejection, got ${String(error)}`);
  expect(error.code).toBe(422);
  return (JSON.parse(error.body as string) as { message: string }).message;
}

describe('schema and CEL validation', () => {
  test('DataIncrement: exactly one source, exactly one of toPercent and incrementPercent, bounds', async () => {
    expect(
      await rejection('dataincrements', 'DataIncrement', {
        source: { synthetic: {}, files: { path: '/data' } },
        toPercent: 40,
        incrementPercent: 3,
      }),
    ).toMatch(
      /source needs exactly one of synthetic and files.*|set exactly one of toPercent and incrementPercent/,
    );
    expect(await rejection('dataincrements', 'DataIncrement', { source: { synthetic: {} } })).toContain(
      'set exactly one of toPercent and incrementPercent',
    );
    expect(
      await rejection('dataincrements', 'DataIncrement', { source: { synthetic: {} }, toPercent: 0 }),
    ).toContain('spec.toPercent in body should be greater than 0');
    expect(
      await rejection('dataincrements', 'DataIncrement', {
        source: { files: { path: '/a', url: 'http://x' } },
        toPercent: 3,
      }),
    ).toContain('files needs exactly one of path and url');
    expect(
      await rejection('dataincrements', 'DataIncrement', {
        source: { files: { url: 'ftp://x' } },
        toPercent: 3,
      }),
    ).toContain('spec.source.files.url in body should match');
  });

  test('TrainingRun: hyperparameter bounds and enums, alias rules', async () => {
    const message = await rejection('trainingruns', 'TrainingRun', {
      hyperparameters: { c: 0, classWeight: 'odd', testSize: 0.9 },
    });
    expect(message).toContain('spec.hyperparameters.c in body should be greater than 0');
    expect(message).toContain('spec.hyperparameters.classWeight: Unsupported value: "odd"');
    expect(message).toContain('spec.hyperparameters.testSize in body should be less than or equal to 0.5');
    expect(await rejection('trainingruns', 'TrainingRun', { autoPromote: { alias: 'v2' } })).toContain(
      "alias must not be 'latest' or look like a version number such as v3",
    );
    expect(
      await rejection('trainingruns', 'TrainingRun', { resources: { limits: { cpu: 'lots' } } }),
    ).toContain('spec.resources.limits.cpu in body should match');
  });

  test('ModelPromotion needs a version of at least 1', async () => {
    expect(await rejection('modelpromotions', 'ModelPromotion', {})).toContain(
      'spec.version: Required value',
    );
    expect(await rejection('modelpromotions', 'ModelPromotion', { version: 0 })).toContain(
      'spec.version in body should be greater than or equal to 1',
    );
  });

  test('ModelPromotion: progressive only with strategy Progressive, canary weights ascending, durations with units', async () => {
    expect(
      await rejection('modelpromotions', 'ModelPromotion', {
        version: 2,
        progressive: { shadow: { percent: 50 } },
      }),
    ).toContain('progressive needs strategy Progressive');
    const message = await rejection('modelpromotions', 'ModelPromotion', {
      version: 2,
      strategy: 'Progressive',
      progressive: { canary: { weights: [50, 10], interval: '10' } },
    });
    expect(message).toContain('canary.weights must be strictly ascending');
    expect(message).toContain('spec.progressive.canary.interval in body should match');
    expect(
      await rejection('modelpromotions', 'ModelPromotion', {
        version: 2,
        strategy: 'Progressive',
        progressive: { canary: { weights: [10, 10] } },
      }),
    ).toContain('canary.weights must be strictly ascending');
  });

  test('PredictionService: at most one of alias and version, a canary names exactly one', async () => {
    const message = await rejection('predictionservices', 'PredictionService', {
      alias: 'production',
      version: 3,
      canary: { replicas: 2 },
    });
    expect(message).toContain('set at most one of alias and version');
    expect(message).toContain('canary needs exactly one of alias and version');
  });
});

test('defaults fill the spec, and DataIncrement, TrainingRun and ModelPromotion specs are immutable', async () => {
  const load = (await create('dataincrements', 'DataIncrement', 'initial', {
    source: { synthetic: {} },
    toPercent: 40,
  })) as { spec: unknown };
  expect(load.spec).toEqual({ source: { synthetic: { seed: 42, rows: 84916 } }, toPercent: 40, seed: 42 });
  const training = (await create('trainingruns', 'TrainingRun', 'first', {})) as { spec: unknown };
  expect(training.spec).toEqual({
    dataVersion: 'latest',
    hyperparameters: {
      maxFeatures: 5000,
      ngramMax: 2,
      minDf: 2,
      maxDf: 0.95,
      c: 1,
      maxIter: 1000,
      classWeight: 'none',
      seed: 42,
      testSize: 0.2,
    },
    registeredModel: 'rakuten_classifier',
    experiment: 'rakuten_model_training',
    autoPromote: {
      enabled: true,
      minF1: 0.7,
      minComparisonRows: 200,
      maxClassDrop: 0.1,
      alias: 'production',
    },
    backoffLimit: 1,
    activeDeadlineSeconds: 3600,
  });
  await create('modelpromotions', 'ModelPromotion', 'rollback', { version: 2 });
  await create('predictionservices', 'PredictionService', 'classifier', {});

  const immutable = [
    ['dataincrements', 'initial', { toPercent: 50 }, 'spec is immutable; create a new DataIncrement'],
    ['trainingruns', 'first', { dataVersion: 'initial' }, 'spec is immutable; create a new TrainingRun'],
    ['modelpromotions', 'rollback', { version: 1 }, 'spec is immutable; create a new ModelPromotion'],
  ] as const;
  for (const [plural, name, spec, message] of immutable) {
    const error = await objects
      .patchNamespacedCustomObject(
        { group, version, namespace, plural, name, body: { spec } },
        k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
      )
      .then(
        () => undefined,
        (e: k8s.ApiException<string>) => e,
      );
    expect(error?.code).toBe(422);
    expect(error?.body).toContain(message);
  }
  const service = (await objects.patchNamespacedCustomObject(
    {
      group,
      version,
      namespace,
      plural: 'predictionservices',
      name: 'classifier',
      body: { spec: { replicas: 3 } },
    },
    k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
  )) as { spec: { replicas: number } };
  expect(service.spec.replicas).toBe(3);
});

test('kubectl explain shows the field descriptions', async () => {
  const { stdout } = await kubectl('explain', 'dataincrement.spec.source');
  expect(stdout).toContain('Where the catalog rows come from; set exactly one of synthetic and files.');
  expect(stdout).toMatch(/synthetic\s+<Object>/);
  const hyper = await kubectl('explain', 'trainingrun.spec.hyperparameters.classWeight');
  expect(hyper.stdout.replace(/\s+/g, ' ')).toContain('balanced weighs classes by inverse frequency');
});

test('kubectl get prodclass lists every kind with its printer columns', async () => {
  await create('dataincrements', 'DataIncrement', 'listed', {
    source: { synthetic: {} },
    incrementPercent: 3,
  });
  await objects.patchNamespacedCustomObjectStatus(
    {
      group,
      version,
      namespace,
      plural: 'dataincrements',
      name: 'listed',
      body: { status: { phase: 'Succeeded', dataVersion: 'week_2', totalRows: 36514, percentage: 43 } },
    },
    k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
  );
  const { stdout } = await kubectl('get', 'prodclass', '-n', namespace);
  expect(stdout).toMatch(/NAME\s+PHASE\s+DATA\s+ROWS\s+PERCENT\s+AGE/);
  expect(stdout).toMatch(/dataincrement\.mlops\.prodclass\.dev\/listed\s+Succeeded\s+week_2\s+36514\s+43/);
  expect(stdout).toMatch(/NAME\s+PHASE\s+DATA\s+VERSION\s+F1\s+PROMOTION\s+AGE/);
  expect(stdout).toMatch(/NAME\s+MODEL\s+VERSION\s+ALIAS\s+PHASE\s+STEP\s+WEIGHT\s+PREVIOUS\s+AGE/);
  expect(stdout).toMatch(
    /modelpromotion\.mlops\.prodclass\.dev\/rollback\s+rakuten_classifier\s+2\s+production/,
  );
  expect(stdout).toMatch(/NAME\s+MODEL\s+SERVED\s+CANARY\s+READY\s+REPLICAS\s+LIVE-ACC\s+URL\s+AGE/);
  const short = await kubectl('get', 'di,tr,mp,psvc', '-n', namespace, '-o', 'name');
  expect(short.stdout.split('\n').filter(Boolean)).toHaveLength(5);
});
