import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { scrapeTargetsDir } from '../../stack/services/prometheus.js';
import { stackEnv } from '../support/stack-env.js';
import { writeTestBundle } from './support/bundle.js';
import {
  getJson,
  postJson,
  type RunningServer,
  sampleValue,
  startServer,
  waitUntil,
  waitUntilReady,
} from './support/server.js';

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
    'prodclass_prediction_request_duration_seconds_bucket{le="0.0001",route="/predict",track="primary"}',
    'prodclass_prediction_text_length_characters_bucket',
    'prodclass_prediction_confidence_bucket',
    'prodclass_model_info{name="model.bundle"',
    'prodclass_model_loaded_timestamp_seconds',
    'prodclass_model_reloads_total{result="success"} 1',
    'prodclass_inference_log_queue_depth 0',
    'prodclass_http_errors_total{route="/predict",status_code="400",track="primary"} 1',
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

test('with a candidate, each request is counted under the track that answered it; a mixed batch under the candidate', async () => {
  const canary = await startServer({
    MODEL_URI: await writeTestBundle('metrics-primary', 31),
    CANDIDATE_MODEL_URI: await writeTestBundle('metrics-candidate', 32),
    CANARY_WEIGHT: '50',
  });
  try {
    await waitUntilReady(canary.url);
    await waitUntil('the candidate is loaded', async () => {
      const health = await getJson<{ candidate: { model: unknown } }>(`${canary.url}/health`);
      return health.body.candidate.model !== null;
    });
    const count = async (route: string, track: string) =>
      sampleValue(
        await (await fetch(`${canary.url}/metrics`)).text(),
        `prodclass_prediction_request_duration_seconds_count{route="${route}",track="${track}"}`,
      );
    // The candidate's series are there from the start, at 0.
    expect(await count('/predict', 'candidate')).toBe(0);
    const exposition = await (await fetch(`${canary.url}/metrics`)).text();
    expect(
      sampleValue(
        exposition,
        'prodclass_http_errors_total{route="/predict",status_code="500",track="candidate"}',
      ),
    ).toBe(0);

    const { body: primary } = await getJson<{ model: { version: string } }>(`${canary.url}/health`);
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, productid) =>
        postJson(`${canary.url}/predict`, { designation: 'Console de jeux portable', productid }),
      ),
    );
    const byCandidate = answers.filter(({ body }) => body.model.version !== primary.model.version).length;
    expect(byCandidate).toBeGreaterThan(0);
    expect(byCandidate).toBeLessThan(40);
    expect(await count('/predict', 'candidate')).toBe(byCandidate);
    expect(await count('/predict', 'primary')).toBe(40 - byCandidate);

    const { status } = await postJson(`${canary.url}/predict/batch`, {
      items: Array.from({ length: 20 }, (_, productid) => ({ designation: 'Lampe de chevet', productid })),
    });
    expect(status).toBe(200);
    expect(await count('/predict/batch', 'candidate')).toBe(1);
    expect((await count('/predict/batch', 'primary')) ?? 0).toBe(0);
  } finally {
    await canary.close();
  }
});
