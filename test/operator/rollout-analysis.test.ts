import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { instantQuery } from '@prodclass/kube/prometheus';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  type AnalysisThresholds,
  RolloutAnalysis,
  type RolloutStepWindow,
} from '../../operator/src/rollout/analysis.js';
import { scrapeTargetsDir } from '../../stack/services/prometheus.js';
import { syntheticProducts, writeTestBundle } from '../model-server/support/bundle.js';
import {
  getJson,
  type Prediction,
  postJson,
  type RunningServer,
  sampleValue,
  startServer,
  waitUntil,
  waitUntilReady,
} from '../model-server/support/server.js';
import { stackEnv } from '../support/stack-env.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

// The analysis a Progressive rollout step is judged by, against the stack's PostgreSQL (shadow
// pairs, labels) and Prometheus (the model servers' per-track metrics, scraped as the local runner
// registers pods: file_sd with namespace, pod and the pod's own track label).

const thresholds: AnalysisThresholds = {
  minAgreement: 0.8,
  maxErrorRate: 0.01,
  maxLatencyP99Seconds: 0.5,
  maxAccuracyDrop: 0.02,
};
const feedbackToken = 'rollout-analysis-feedback-token';
let database: TestDatabase;
let client: pg.Client;
let analyzer: RolloutAnalysis;
let primaryBundle: string;
let goodCandidateBundle: string;
let shuffledCandidateBundle: string;
const servers: RunningServer[] = [];
const targetFiles: string[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  client = await database.connect();
  analyzer = new RolloutAnalysis({
    databaseUrl: database.url,
    prometheusUrl: stackEnv().PROMETHEUS_URL,
    isCalibrated: async () => true,
  });
  [primaryBundle, goodCandidateBundle, shuffledCandidateBundle] = await Promise.all([
    writeTestBundle('analysis-primary', 51),
    writeTestBundle('analysis-candidate', 52),
    writeTestBundle('analysis-shuffled', 51, { shuffledLabels: true }),
  ]);
});

afterAll(async () => {
  for (const file of targetFiles) fs.rmSync(file, { force: true });
  await Promise.all(servers.map((server) => server.close()));
  await analyzer?.close();
  await database?.drop();
});

/** A model server in this process with a candidate loaded; its primary's and candidate's versions. */
async function serveWithCandidate(env: Record<string, string>) {
  const server = await startServer({ MODEL_URI: primaryBundle, ...env });
  servers.push(server);
  await waitUntilReady(server.url);
  let versions: { champion: string; candidate: string } | undefined;
  await waitUntil('the candidate is loaded', async () => {
    const { body } = await getJson<{
      model: { version: string };
      candidate: { model: { version: string } | null };
    }>(`${server.url}/health`);
    if (body.candidate.model)
      versions = { champion: body.model.version, candidate: body.candidate.model.version };
    return versions !== undefined;
  });
  return { server, ...(versions as { champion: string; candidate: string }) };
}

function stepWindow(
  step: 'shadow' | 'canary',
  versions: { champion: string; candidate: string },
  namespace: string,
  since: Date,
): RolloutStepWindow {
  return {
    namespace,
    registeredModel: 'model.bundle',
    championVersion: versions.champion,
    candidateVersion: versions.candidate,
    step,
    since,
    until: new Date(),
  };
}

/** Labels served predictions with the true codes of their products through /feedback/batch. */
async function label(url: string, predictions: Prediction[], codes: number[]): Promise<void> {
  const response = await fetch(`${url}/feedback/batch`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${feedbackToken}` },
    body: JSON.stringify({
      items: predictions.map((prediction, index) => ({
        prediction_id: prediction.prediction_id,
        prdtypecode: codes[index],
      })),
    }),
  });
  expect(response.status).toBe(200);
}

describe('shadow step', () => {
  /** 240 unseen synthetic products through /predict/batch, each then labelled with its true code if `labelled`. */
  async function shadowTraffic(url: string, labelled: boolean): Promise<void> {
    const products = syntheticProducts(240, 99);
    for (let start = 0; start < products.length; start += 60) {
      const batch = products.slice(start, start + 60);
      const { status, body } = await postJson<{ predictions: Prediction[] }>(`${url}/predict/batch`, {
        items: batch.map(({ productid, designation, description }) => ({
          productid,
          designation,
          description,
        })),
      });
      expect(status).toBe(200);
      if (labelled)
        await label(
          url,
          body.predictions,
          batch.map((product) => product.prdtypecode),
        );
    }
  }

  /** The candidate's shadow pairs since `since`, counted here independently of the analysis. */
  async function shadowRowsOf(
    candidateVersion: string,
    since: Date,
  ): Promise<{ pairs: number; agreeing: number }> {
    const { rows } = await client.query<{ pairs: number; agreeing: number }>(
      `select count(*)::int as pairs, (count(*) filter (where s.prdtypecode = p.prdtypecode))::int as agreeing
       from inference_log s join inference_log p on p.prediction_id = s.shadow_of
       where s.model_version = $1 and s.predicted_at >= $2`,
      [candidateVersion, since],
    );
    return rows[0] as { pairs: number; agreeing: number };
  }

  async function shadowStep(candidateBundle: string, { labelled = true } = {}) {
    const since = new Date();
    const served = await serveWithCandidate({
      CANDIDATE_MODEL_URI: candidateBundle,
      SHADOW_PERCENT: '100',
      DATABASE_URL: database.url,
      FEEDBACK_TOKEN: feedbackToken,
    });
    await shadowTraffic(served.server.url, labelled);
    await waitUntil(
      'the 240 shadow predictions are in the inference log',
      async () => (await shadowRowsOf(served.candidate, since)).pairs === 240,
    );
    const window = stepWindow('shadow', served, 'unused-in-shadow', since);
    return {
      analysis: await analyzer.analyze(window, thresholds),
      rows: await shadowRowsOf(served.candidate, since),
      since,
    };
  }

  test('a candidate fitted on shuffled labels fails on agreement, with its numbers, and on live accuracy', async () => {
    const { analysis, rows } = await shadowStep(shuffledCandidateBundle);
    expect(analysis.requests).toBe(240);
    const agreement = rows.agreeing / rows.pairs;
    expect(agreement).toBeLessThan(0.8);
    expect(analysis.failed).toMatchObject({
      name: 'agreement',
      value: agreement,
      samples: 240,
      passed: false,
    });
    expect(analysis.failed?.message).toBe(
      `agreement ${agreement.toFixed(2)} < 0.80 over 240 shadow requests`,
    );
    const live = analysis.checks.find((check) => check.name === 'liveAccuracy');
    expect(live).toMatchObject({ passed: false, samples: 240 });
    expect(live?.message).toMatch(
      /^live accuracy 0\.\d\d vs 0\.\d\d of the champion over 240 labelled shadow pairs: a drop above 0\.02 \(sequential test evidence \S+ ≥ 20\)$/,
    );
    expect(analysis.checks.find((check) => check.name === 'sequentialTest')?.passed).toBe(false);
  });

  test('without labels, the mean confidences of the pairs estimate the accuracies (calibrated versions)', async () => {
    const { analysis, since } = await shadowStep(shuffledCandidateBundle, { labelled: false });
    const estimated = analysis.checks.find((check) => check.name === 'estimatedAccuracy');
    const { rows } = await client.query<{ champion: number; candidate: number }>(
      `select avg(p.confidence) as champion, avg(s.confidence) as candidate
       from inference_log s join inference_log p on p.prediction_id = s.shadow_of
       where s.predicted_at >= $1`,
      [since],
    );
    expect(estimated).toMatchObject({ passed: false, samples: 240 });
    expect(estimated?.value).toBeCloseTo(rows[0]?.candidate as number, 6);
    expect(estimated?.threshold).toBeCloseTo((rows[0]?.champion as number) - 0.02, 6);
    expect(estimated?.message).toMatch(
      /^estimated accuracy 0\.\d\d < 0\.\d\d \(the champion's 0\.\d\d − 0\.02\) over 240 shadow requests, 0 labelled shadow pairs \(the sequential test needs 30\)$/,
    );
  });

  test('a candidate fitted on other products of the same catalog passes every check', async () => {
    const { analysis, rows } = await shadowStep(goodCandidateBundle);
    expect(analysis.requests).toBe(240);
    expect(analysis.checks.find((check) => check.name === 'agreement')).toMatchObject({
      value: rows.agreeing / rows.pairs,
      passed: true,
    });
    expect(analysis.checks.map((check) => check.name)).toEqual([
      'agreement',
      'latencyP99',
      'liveAccuracy',
      'sequentialTest',
    ]);
    expect(analysis.failed).toBeUndefined();
  });
});

describe('canary step', () => {
  /** Registers a server with the stack's Prometheus as the local runner registers a pod. */
  function scrape(server: RunningServer, namespace: string, pod: string): void {
    const file = path.join(scrapeTargetsDir, `rollout-analysis-${process.pid}-${namespace}-${pod}.json`);
    fs.mkdirSync(scrapeTargetsDir, { recursive: true });
    fs.writeFileSync(
      file,
      JSON.stringify([{ targets: [new URL(server.url).host], labels: { namespace, pod, track: 'primary' } }]),
    );
    targetFiles.push(file);
  }

  const prometheus = (query: string) => instantQuery(stackEnv().PROMETHEUS_URL, query);

  /** The candidate's /predict count as the server itself reports it. */
  async function candidateRequests(server: RunningServer): Promise<number> {
    const exposition = await (await fetch(`${server.url}/metrics`)).text();
    return (
      sampleValue(
        exposition,
        'prodclass_prediction_request_duration_seconds_count{route="/predict",track="candidate"}',
      ) ?? 0
    );
  }

  /**
   * A canary at 50 % in its own namespace, 80 requests with productids, analysed once Prometheus
   * has the candidate's last count.
   */
  async function canaryStep(
    env: Record<string, string>,
    { candidateBundle = goodCandidateBundle, products = 80, labelled = false } = {},
  ) {
    const namespace = `analysis-${randomBytes(3).toString('hex')}`;
    const served = await serveWithCandidate({
      CANDIDATE_MODEL_URI: candidateBundle,
      CANARY_WEIGHT: '50',
      ...(labelled ? { DATABASE_URL: database.url, FEEDBACK_TOKEN: feedbackToken } : {}),
      ...env,
    });
    scrape(served.server, namespace, `${namespace}-primary-0`);
    const series = `prodclass_prediction_request_duration_seconds_count{namespace="${namespace}",route="/predict",track="candidate"}`;
    await waitUntil(
      'Prometheus has scraped the candidate series',
      async () => (await prometheus(series)).length > 0,
    );
    const since = new Date();
    await waitUntil(
      'Prometheus has scraped once in the window',
      async () => ((await prometheus(`timestamp(${series})`))[0]?.value ?? 0) * 1000 > since.getTime(),
    );
    const catalog = syntheticProducts(products, 98);
    const predictions: Prediction[] = new Array(catalog.length);
    let next = 0;
    const worker = async () => {
      for (let index = next++; index < catalog.length; index = next++) {
        const { productid, designation } = catalog[index] as (typeof catalog)[number];
        const response = await postJson(`${served.server.url}/predict`, { productid, designation });
        expect(response.status).toBe(200);
        predictions[index] = response.body;
      }
    };
    await Promise.all(Array.from({ length: 10 }, worker));
    if (labelled)
      await label(
        served.server.url,
        predictions,
        catalog.map((product) => product.prdtypecode),
      );
    const answered = await candidateRequests(served.server);
    expect(answered).toBe(
      predictions.filter((prediction) => prediction.model.version === served.candidate).length,
    );
    expect(answered).toBeGreaterThan(10);
    await waitUntil(
      "Prometheus has the candidate's last count",
      async () => (await prometheus(series))[0]?.value === answered,
    );
    const analysis = await analyzer.analyze(stepWindow('canary', served, namespace, since), thresholds);
    return { analysis, answered, products };
  }

  test('with CANDIDATE_DELAY_MS, the candidate p99 is above maxLatencyP99 and the step fails on it; without, within', async () => {
    const slow = await canaryStep({ CANDIDATE_DELAY_MS: '700' });
    expect(slow.analysis.requests).toBeGreaterThanOrEqual(Math.floor(slow.answered * 0.5));
    expect(slow.analysis.requests).toBeLessThanOrEqual(Math.ceil(slow.answered * 1.5));
    expect(slow.analysis.failed?.name).toBe('latencyP99');
    expect(slow.analysis.failed?.value).toBeGreaterThan(0.5);
    expect(slow.analysis.failed?.message).toMatch(
      /^p99 latency [\d,]+ ms > 500 ms over \d+ candidate requests$/,
    );
    expect(slow.analysis.checks.find((check) => check.name === 'errorRate')).toMatchObject({
      value: 0,
      passed: true,
    });

    const fast = await canaryStep({});
    const latency = fast.analysis.checks.find((check) => check.name === 'latencyP99');
    expect(latency?.passed).toBe(true);
    expect(latency?.value).toBeLessThanOrEqual(0.5);
    expect(fast.analysis.failed).toBeUndefined();
  });

  test("a candidate fitted on shuffled labels fails on live accuracy: each version's labelled predictions paired in order", async () => {
    const { analysis, answered, products } = await canaryStep(
      {},
      { candidateBundle: shuffledCandidateBundle, products: 120, labelled: true },
    );
    const pairs = Math.min(answered, products - answered);
    expect(pairs).toBeGreaterThanOrEqual(30);
    expect(analysis.failed).toMatchObject({ name: 'liveAccuracy', samples: pairs, passed: false });
    expect(analysis.failed?.message).toMatch(
      new RegExp(
        `^live accuracy 0\\.\\d\\d vs 0\\.\\d\\d of the champion over ${pairs} labelled predictions of each version: a drop above 0\\.02 \\(sequential test evidence \\S+ ≥ 20\\)$`,
      ),
    );
    expect(analysis.checks.slice(0, 2).map((check) => [check.name, check.passed])).toEqual([
      ['errorRate', true],
      ['latencyP99', true],
    ]);
  });

  test('analysing a canary step without a reachable Prometheus fails, saying so', async () => {
    const closedPort = await new Promise<number>((resolve) => {
      const probe = net.createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as net.AddressInfo;
        probe.close(() => resolve(port));
      });
    });
    const window = stepWindow(
      'canary',
      { champion: '1', candidate: '2' },
      'anywhere',
      new Date(Date.now() - 60_000),
    );
    const unreachable = new RolloutAnalysis({
      databaseUrl: database.url,
      prometheusUrl: `http://127.0.0.1:${closedPort}`,
      isCalibrated: async () => true,
    });
    const unset = new RolloutAnalysis({
      databaseUrl: database.url,
      prometheusUrl: undefined,
      isCalibrated: async () => true,
    });
    try {
      await expect(unreachable.analyze(window, thresholds)).rejects.toThrow(
        `cannot read the canary's error rate and p99 latency: Prometheus at http://127.0.0.1:${closedPort} is unreachable`,
      );
      await expect(unset.analyze(window, thresholds)).rejects.toThrow(
        "Prometheus is not configured (the operator's PROMETHEUS_URL is unset)",
      );
    } finally {
      await unreachable.close();
      await unset.close();
    }
  });
});
