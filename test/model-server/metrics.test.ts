import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { scrapeTargetsDir } from '../../stack/services/prometheus.js';
import { stackEnv } from '../support/stack-env.js';
import { writeTestBundle } from './support/bundle.js';
import { postJson, type RunningServer, startServer, waitUntil, waitUntilReady } from './support/server.js';

let server: RunningServer;
const targetFile = path.join(scrapeTargetsDir, `model-server-test-${process.pid}.json`);

beforeAll(async () => {
  server = await startServer({ MODEL_URI: await writeTestBundle('metrics', 31) });
  await waitUntilReady(server.url);
  await postJson(`${server.url}/predict`, { designation: 'Console de jeux portable', description: null });
  await postJson(`${server.url}/predict`, { designation: '' });
});

afterAll(async () => {
  fs.rmSync(targetFile, { force: true });
  await server?.close();
});

test('/metrics passes promtool check metrics and has every prodclass_ metric', async () => {
  const exposition = await (await fetch(`${server.url}/metrics`)).text();
  const promtool = spawnSync('promtool', ['check', 'metrics'], { input: exposition, encoding: 'utf8' });
  if (promtool.error)
    throw new Error(
      `promtool could not run (install Debian's prometheus package): ${promtool.error.message}`,
    );
  expect(`${promtool.stdout}${promtool.stderr}`).toBe('');
  expect(promtool.status).toBe(0);
  for (const name of [
    'prodclass_predictions_total{prdtypecode=',
    'prodclass_prediction_request_duration_seconds_bucket{le="0.0001",route="/predict"}',
    'prodclass_prediction_text_length_characters_bucket',
    'prodclass_prediction_confidence_bucket',
    'prodclass_model_info{name="model.bundle"',
    'prodclass_model_loaded_timestamp_seconds',
    'prodclass_model_reloads_total{result="success"} 1',
    'prodclass_inference_log_queue_depth 0',
    'prodclass_http_errors_total{route="/predict",status_code="400"} 1',
    'prodclass_process_cpu_seconds_total',
  ]) {
    expect(exposition).toContain(name);
  }
});

test('Prometheus scrapes the server as job "prodclass"', async () => {
  const instance = new URL(server.url).host;
  fs.mkdirSync(scrapeTargetsDir, { recursive: true });
  fs.writeFileSync(
    targetFile,
    JSON.stringify([{ targets: [instance], labels: { service: 'model-server-test' } }]),
  );
  const query = async (promql: string) => {
    const url = new URL('/api/v1/query', stackEnv().PROMETHEUS_URL);
    url.searchParams.set('query', promql);
    const response = await fetch(url).catch((error: Error) => {
      throw new Error(`Prometheus at ${url.origin} is unreachable: ${error.message}`);
    });
    const body = (await response.json()) as { data: { result: { value: [number, string] }[] } };
    return body.data.result;
  };
  await waitUntil(
    'Prometheus has scraped the model server',
    async () => (await query(`up{job="prodclass",instance="${instance}"} == 1`)).length === 1,
    30_000,
  );
  await waitUntil(
    'a prodclass_ sample is stored',
    async () => (await query(`prodclass_model_info{instance="${instance}"}`)).length === 1,
    30_000,
  );
});
