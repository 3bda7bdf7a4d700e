import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { deploymentType } from '@prodclass/kube/objects';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { registryPromote } from '../../operator/src/external/registry-promotion.js';
import type { RunningOperator } from '../../operator/src/operator.js';
import type { LocalRunner } from '../../stack/local-runner/runner.js';
import { localUrlAnnotation } from '../../stack/local-runner/service-proxy.js';
import { scrapeTargetsDir } from '../../stack/services/prometheus.js';
import { type RunningConsole, startConsole } from '../console/support/console.js';
import { fitTestBundle } from '../model-server/support/bundle.js';
import { TestRegistry } from '../model-server/support/mlflow-registry.js';
import { stackEnv } from '../support/stack-env.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { applyCrds, createNamespace, deleteNamespace, waitFor } from './support/cluster.js';
import {
  createPipelineSecret,
  operatorSettings,
  Resources,
  runLocalRunner,
  runOperator,
} from './support/harness.js';

// The local runner registers the model-server pods it runs with the stack's Prometheus (file_sd),
// labelled so that the console's Monitoring page finds their traffic, and unregisters them.
let namespace: string;
let database: TestDatabase;
let registry: TestRegistry;
let version: string;
let operator: RunningOperator;
let runner: LocalRunner;
let consoleServer: RunningConsole;
let resources: Resources;

beforeAll(async () => {
  const bundle = await fitTestBundle(21);
  registry = new TestRegistry();
  await registry.createModel();
  version = await registry.addVersion(bundle);
  await applyCrds();
  namespace = await createNamespace('op-prom');
  database = await createTestDatabase();
  await createPipelineSecret(namespace, database.url);
  resources = new Resources(namespace);
  operator = await runOperator(
    operatorSettings(namespace, database.url),
    registryPromote(database.url, stackEnv().MLFLOW_TRACKING_URI),
  );
  runner = await runLocalRunner(namespace);
  consoleServer = await startConsole(namespace, database.url);
});

afterAll(async () => {
  await consoleServer?.close();
  await runner?.stop();
  await operator?.stop();
  await deleteNamespace(namespace);
  await database?.drop();
});

/** This namespace's target files (a runner names them after its process, then namespace and pod). */
function targetFiles(): string[] {
  return fs
    .readdirSync(scrapeTargetsDir)
    .filter((file) => file.startsWith(`local-runner-${process.pid}-${namespace}-`) && file.endsWith('.json'))
    .map((file) => path.join(scrapeTargetsDir, file));
}

async function prometheusValue(query: string): Promise<number> {
  const url = new URL('/api/v1/query', stackEnv().PROMETHEUS_URL);
  url.searchParams.set('query', query);
  const response = await fetch(url).catch((error: Error) => {
    throw new Error(`Prometheus at ${url.origin} is unreachable: ${error.message}`);
  });
  const body = (await response.json()) as { data: { result: { value: [number, string] }[] } };
  return Number(body.data.result[0]?.value[1] ?? 0);
}

test('a served PredictionService is scraped by Prometheus, shown by the console, unregistered when deleted', async () => {
  await resources.create('PredictionService', 'predictionservices', 'classifier', {
    registeredModel: registry.name,
    version: Number(version),
    replicas: 1,
  });
  await resources.until(
    'predictionservices',
    'classifier',
    (o) => Resources.condition(o, 'Ready')?.status === 'True',
  );

  // One file, its target group labelled as Kubernetes SD and the chart's ServiceMonitor would.
  await waitFor('the pod labelled with its Service', async () => {
    const [file] = targetFiles();
    return file !== undefined && fs.readFileSync(file, 'utf8').includes('"service":"classifier"');
  });
  const files = targetFiles();
  expect(files).toHaveLength(1);
  const groups = JSON.parse(fs.readFileSync(files[0] as string, 'utf8'));
  expect(groups).toHaveLength(1);
  expect(groups[0].targets).toEqual([expect.stringMatching(/^127\.0\.0\.1:\d+$/)]);
  expect(groups[0].labels).toMatchObject({
    __metrics_path__: '/metrics',
    namespace,
    pod: expect.stringMatching(/^classifier-primary-/),
    service: 'classifier',
    track: 'primary',
    app_kubernetes_io_component: 'model-server',
    app_kubernetes_io_instance: 'classifier',
  });

  // Traffic through the Service until Prometheus has two samples of a growing counter.
  const service = await resources.getAt(`/api/v1/namespaces/${namespace}/services/classifier`);
  const url: string = service.metadata.annotations[localUrlAnnotation];
  const rate = `sum(rate(prodclass_prediction_request_duration_seconds_count{namespace="${namespace}",service="classifier",route="/predict"}[1m]))`;
  let sending = true;
  const traffic = (async () => {
    while (sending) {
      const response = await fetch(`${url}/predict`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ designation: 'Piscine tubulaire ronde 3m', description: 'avec pompe' }),
      });
      expect(response.status).toBe(200);
      await response.arrayBuffer();
      await sleep(100);
    }
  })();
  try {
    await waitFor(
      'a non-zero /predict rate in Prometheus',
      async () => (await prometheusValue(rate)) > 0,
      45_000,
    );
    // The console's traffic table: a row for the Service with a non-zero rate.
    await expect
      .poll(
        async () => {
          const page = await fetch(`${consoleServer.url}/monitoring`, {
            headers: { 'x-forwarded-user': 'alice' },
          });
          const row = /<tr><th scope="row">classifier<\/th>\s*<td class="num">([0-9.]+)<\/td>/.exec(
            await page.text(),
          );
          return Number(row?.[1] ?? 0);
        },
        { timeout: 20_000, interval: 1_000 },
      )
      .toBeGreaterThan(0);
  } finally {
    sending = false;
    await traffic;
  }

  // Without a garbage collector, the Deployment goes by hand once its owner is gone.
  await resources.api.request('DELETE', resources.path('predictionservices', 'classifier'));
  await resources.api.request('DELETE', deploymentType.path(namespace, 'classifier-primary'));
  await waitFor('the target file removed', async () => targetFiles().length === 0, 30_000);
  expect(fs.existsSync(files[0] as string)).toBe(false);
}, 90_000);
