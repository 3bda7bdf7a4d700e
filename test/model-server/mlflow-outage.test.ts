import { expect, test } from 'vitest';
import { stackEnv } from '../support/stack-env.js';
import { fitTestBundle } from './support/bundle.js';
import { TestRegistry } from './support/mlflow-registry.js';
import { getJson, postJson, startServer, waitUntil, waitUntilReady } from './support/server.js';
import { startRelay } from './support/tcp-relay.js';

interface Health {
  status: string;
  mlflow_reachable: boolean | null;
  model: { version: string } | null;
  last_failure: { message: string } | null;
}

test('when MLflow becomes unreachable the loaded model keeps serving and /health says degraded', async () => {
  const bundle = await fitTestBundle(61);
  const registry = new TestRegistry();
  await registry.createModel();
  const version = await registry.addVersion(bundle);
  await registry.setAlias('production', version);

  const relay = await startRelay(new URL(stackEnv().MLFLOW_TRACKING_URI));
  const server = await startServer({
    MODEL_URI: `models:/${registry.name}@production`,
    MLFLOW_TRACKING_URI: relay.url,
    RELOAD_INTERVAL_SECONDS: '0.5',
  });
  try {
    await waitUntilReady(server.url);
    expect((await getJson<Health>(`${server.url}/health`)).body).toMatchObject({
      status: 'healthy',
      mlflow_reachable: true,
    });

    await relay.cut();
    await waitUntil(
      'a poll finds MLflow unreachable',
      async () => (await getJson<Health>(`${server.url}/health`)).body.mlflow_reachable === false,
      45_000,
    );
    const health = await getJson<Health>(`${server.url}/health`);
    expect(health.status).toBe(200);
    expect(health.body.status).toBe('degraded');
    expect(health.body.model?.version).toBe(version);
    expect(health.body.last_failure?.message).toMatch(/unreachable/);
    const prediction = await postJson(`${server.url}/predict`, { designation: 'Figurine Dragon Ball' });
    expect(prediction.status).toBe(200);
    expect(prediction.body.model.version).toBe(version);
  } finally {
    await server.close();
  }
}, 90_000);
