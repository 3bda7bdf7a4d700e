import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { stackEnv } from '../support/stack-env.js';
import { ArtifactGate } from './support/artifact-gate.js';
import { fitTestBundle, writeTestBundle } from './support/bundle.js';
import { TestRegistry } from './support/mlflow-registry.js';
import {
  type ErrorBody,
  getJson,
  type Prediction,
  postJson,
  type RunningServer,
  sampleValue,
  startServer,
  waitUntil,
  waitUntilReady,
} from './support/server.js';

const product = { designation: 'Piscine tubulaire ronde 3m avec pompe', description: 'filtration incluse' };
const adminToken = 'test-admin-token-0123456789';

interface Health {
  status: string;
  model: { name: string; version: string; alias: string | null; loaded_at: string } | null;
  mlflow_reachable: boolean | null;
  last_failure: { at: string; message: string } | null;
}

let registry: TestRegistry;
let firstVersion: string;
let secondVersion: string;
let corrupted: Buffer;

beforeAll(async () => {
  // Fit first: a fit keeps the event loop busy long enough for MLflow to drop kept-alive connections.
  const [first, second, third] = [await fitTestBundle(11), await fitTestBundle(12), await fitTestBundle(13)];
  corrupted = Buffer.from(third);
  corrupted.fill(0x42, corrupted.length - 4096);
  registry = new TestRegistry();
  await registry.createModel();
  firstVersion = await registry.addVersion(first, { f1_weighted_test: 0.81, accuracy_test: 0.83 });
  secondVersion = await registry.addVersion(second, { f1_weighted_test: 0.84 });
  await registry.setAlias('production', firstVersion);
});

function registryEnv(modelUri: string): Record<string, string> {
  return { MODEL_URI: modelUri, MLFLOW_TRACKING_URI: stackEnv().MLFLOW_TRACKING_URI };
}

async function reloadResults(url: string): Promise<{ success: number; failure: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return {
    success: sampleValue(text, 'prodclass_model_reloads_total{result="success"}') ?? 0,
    failure: sampleValue(text, 'prodclass_model_reloads_total{result="failure"}') ?? 0,
  };
}

describe('a server following models:/NAME@production', () => {
  let server: RunningServer;
  // MLflow reached through a gate that holds the model download until the test lets it through.
  let gate: ArtifactGate;

  beforeAll(async () => {
    gate = new ArtifactGate(stackEnv().MLFLOW_TRACKING_URI);
    await gate.start();
    server = await startServer({
      ...registryEnv(`models:/${registry.name}@production`),
      MLFLOW_TRACKING_URI: gate.url,
      RELOAD_INTERVAL_SECONDS: '0.3',
      ADMIN_TOKEN: adminToken,
    });
  });

  afterAll(async () => {
    await server?.close();
    await gate?.close();
  });

  test('preloads the aliased version before /ready answers 200, and describes it', async () => {
    await gate.held;
    const loading = await fetch(`${server.url}/ready`);
    expect(loading.status).toBe(503);
    const early = await getJson<Health>(`${server.url}/health`);
    expect(early.status).toBe(503);
    expect(early.body).toMatchObject({ status: 'unhealthy', model: null });
    gate.release();
    await waitUntilReady(server.url);

    const health = await getJson<Health>(`${server.url}/health`);
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({
      status: 'healthy',
      model: { name: registry.name, version: firstVersion, alias: 'production' },
      mlflow_reachable: true,
      last_failure: null,
    });
    const model = await getJson<{
      version: string;
      run_id: string;
      metrics: Record<string, number>;
      uri: string;
    }>(`${server.url}/model`);
    expect(model.body).toMatchObject({
      version: firstVersion,
      uri: `models:/${registry.name}@production`,
      metrics: { f1_weighted_test: 0.81, accuracy_test: 0.83 },
    });
    expect(model.body.run_id).toMatch(/^[0-9a-f]{32}$/);
    const prediction = await postJson(`${server.url}/predict`, product);
    expect(prediction.status).toBe(200);
    expect(prediction.body.model).toEqual({
      name: registry.name,
      version: firstVersion,
      alias: 'production',
    });
    expect(prediction.body.prediction_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/);
    expect(prediction.body.top_k).toHaveLength(5);
    expect(prediction.body.confidence).toBe(prediction.body.top_k[0]?.probability);
  });

  test('an alias moved to another version is picked up without a single failed request', async () => {
    await waitUntilReady(server.url);
    const versionsSeen: string[][] = [[], [], [], []];
    const failures: string[] = [];
    let sawSecond = false;
    let stopAt = Number.POSITIVE_INFINITY;
    const hammer = async (seen: string[]) => {
      while (Date.now() < stopAt) {
        const response = await postJson(`${server.url}/predict`, product).catch((error: Error) => ({
          status: 0,
          body: { message: error.message } as unknown as Prediction,
        }));
        if (response.status !== 200) failures.push(`${response.status} ${JSON.stringify(response.body)}`);
        else seen.push(response.body.model.version);
        if (response.body.model?.version === secondVersion && !sawSecond) {
          sawSecond = true;
          stopAt = Date.now() + 300;
        }
      }
    };
    const hammers = versionsSeen.map(hammer);
    await new Promise((resolve) => setTimeout(resolve, 200));
    await registry.setAlias('production', secondVersion);
    const deadline = setTimeout(() => {
      stopAt = 0;
    }, 20_000);
    await Promise.all(hammers);
    clearTimeout(deadline);

    expect(failures).toEqual([]);
    expect(sawSecond).toBe(true);
    for (const seen of versionsSeen) {
      // Each client sees the old version, then only the new one: the swap is atomic.
      const firstNew = seen.indexOf(secondVersion);
      expect(seen.slice(0, firstNew).every((version) => version === firstVersion)).toBe(true);
      expect(seen.slice(firstNew).every((version) => version === secondVersion)).toBe(true);
    }
    const health = await getJson<Health>(`${server.url}/health`);
    expect(health.body.model?.version).toBe(secondVersion);
  });

  test('a corrupted new version fails to load: the old model keeps serving and the failure is counted', async () => {
    await waitUntil(
      'version 2 serves',
      async () => (await getJson<Health>(`${server.url}/health`)).body.model?.version === secondVersion,
    );
    const before = await reloadResults(server.url);
    const brokenVersion = await registry.addVersion(corrupted);
    await registry.setAlias('production', brokenVersion);

    await waitUntil(
      'the failed reload is counted',
      async () => (await reloadResults(server.url)).failure > before.failure,
    );
    const prediction = await postJson(`${server.url}/predict`, product);
    expect(prediction.status).toBe(200);
    expect(prediction.body.model.version).toBe(secondVersion);
    const health = await getJson<Health>(`${server.url}/health`);
    expect(health.status).toBe(200);
    expect(health.body.status).toBe('degraded');
    expect(health.body.model?.version).toBe(secondVersion);
    expect(health.body.last_failure?.message).toMatch(new RegExp(`version ${brokenVersion}.*corrupted`));
    expect((await fetch(`${server.url}/ready`)).status).toBe(200);
    expect((await reloadResults(server.url)).success).toBe(before.success);

    await registry.setAlias('production', secondVersion);
    await waitUntil(
      'health recovers',
      async () => (await getJson<Health>(`${server.url}/health`)).body.status === 'healthy',
    );
  });

  test('POST /admin/reload needs the bearer token, then reloads at once', async () => {
    const unauthorized = await fetch(`${server.url}/admin/reload`, { method: 'POST' });
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.headers.get('www-authenticate')).toBe('Bearer');
    const wrong = await fetch(`${server.url}/admin/reload`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}x` },
    });
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as ErrorBody).message).toMatch(/Bearer <ADMIN_TOKEN>/);

    const before = await reloadResults(server.url);
    const reload = await fetch(`${server.url}/admin/reload`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}` },
    });
    expect(reload.status).toBe(200);
    expect(await reload.json()).toEqual({
      outcome: 'loaded',
      model: { name: registry.name, version: secondVersion, alias: 'production' },
    });
    expect((await reloadResults(server.url)).success).toBe(before.success + 1);
  });
});

test('models:/NAME/VERSION loads that version and nothing else', async () => {
  const server = await startServer(registryEnv(`models:/${registry.name}/${firstVersion}`));
  try {
    await waitUntilReady(server.url);
    const health = await getJson<Health>(`${server.url}/health`);
    expect(health.body).toMatchObject({
      status: 'healthy',
      model: { version: firstVersion, alias: null },
      mlflow_reachable: true,
    });
  } finally {
    await server.close();
  }
});

test('a pinned version chosen through an alias (MODEL_ALIAS, as the operator sets it) reports that alias', async () => {
  const server = await startServer({
    ...registryEnv(`models:/${registry.name}/${firstVersion}`),
    MODEL_ALIAS: 'production',
  });
  try {
    await waitUntilReady(server.url);
    const prediction = await postJson<{ model: unknown }>(`${server.url}/predict`, product);
    expect(prediction.body.model).toEqual({
      name: registry.name,
      version: firstVersion,
      alias: 'production',
    });
    const health = await getJson<Health>(`${server.url}/health`);
    expect(health.body.model).toMatchObject({ version: firstVersion, alias: 'production' });
  } finally {
    await server.close();
  }
});

test('a bundle file path loads without MLflow; a missing one leaves the server unhealthy and not ready', async () => {
  const server = await startServer({ MODEL_URI: await writeTestBundle('loading', 11) });
  const missing = await startServer({ MODEL_URI: '/nonexistent/model.bundle' });
  try {
    await waitUntilReady(server.url);
    const health = await getJson<Health>(`${server.url}/health`);
    expect(health.body).toMatchObject({
      status: 'healthy',
      mlflow_reachable: null,
      model: { name: 'model.bundle' },
    });
    expect(health.body.model?.version).toMatch(/^sha256:[0-9a-f]{12}$/);

    await waitUntil(
      'the load failed',
      async () => (await getJson<Health>(`${missing.url}/health`)).body.last_failure !== null,
    );
    const unhealthy = await getJson<Health>(`${missing.url}/health`);
    expect(unhealthy.status).toBe(503);
    expect(unhealthy.body).toMatchObject({ status: 'unhealthy', model: null });
    expect(unhealthy.body.last_failure?.message).toMatch(
      /cannot read the model bundle \/nonexistent\/model.bundle: ENOENT/,
    );
    const ready = await getJson<ErrorBody>(`${missing.url}/ready`);
    expect(ready.status).toBe(503);
    expect((await postJson<ErrorBody>(`${missing.url}/predict`, product)).body.message).toMatch(
      /no model is loaded yet/,
    );
  } finally {
    await Promise.all([server.close(), missing.close()]);
  }
});
