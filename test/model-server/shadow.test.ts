import { shadowComparison } from '@prodclass/catalog/rollout/shadow-comparison';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runCli } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { writeTestBundle } from './support/bundle.js';
import {
  getJson,
  type Prediction,
  postJson,
  type RunningServer,
  sampleValue,
  startServer,
  waitUntil,
  waitUntilReady,
} from './support/server.js';

const feedbackToken = 'shadow-test-feedback-token';
let database: TestDatabase;
let client: pg.Client;
let primaryBundle: string;
let candidateBundle: string;
const servers: RunningServer[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  client = await database.connect();
  [primaryBundle, candidateBundle] = await Promise.all([
    writeTestBundle('shadow-primary', 41),
    writeTestBundle('shadow-candidate', 42),
  ]);
});

afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
  await database?.drop();
});

async function serve(env: Record<string, string>): Promise<RunningServer> {
  const server = await startServer({ MODEL_URI: primaryBundle, ...env });
  servers.push(server);
  await waitUntilReady(server.url);
  return server;
}

async function metrics(server: RunningServer): Promise<string> {
  return (await fetch(`${server.url}/metrics`)).text();
}

/**
 * 40 single requests with productids and 4 batches of 5 without: 60 predictions. With
 * `afterSingle`, the singles go one at a time, each followed by `afterSingle(singles answered)`.
 */
async function sendTraffic(
  url: string,
  afterSingle?: (answered: number) => Promise<void>,
): Promise<Prediction[]> {
  const single = (index: number) =>
    postJson<Prediction>(`${url}/predict`, {
      designation: `Lampe de chevet n°${index}`,
      productid: 500 + index,
    });
  const singles = [];
  if (afterSingle) {
    for (let index = 0; index < 40; index++) {
      singles.push(await single(index));
      await afterSingle(index + 1);
    }
  } else singles.push(...(await Promise.all(Array.from({ length: 40 }, (_, index) => single(index)))));
  const batches = await Promise.all(
    Array.from({ length: 4 }, (_, batch) =>
      postJson<{ predictions: Prediction[] }>(`${url}/predict/batch`, {
        items: Array.from({ length: 5 }, (_, index) => ({
          designation: `Coque de téléphone ${batch}-${index}`,
          description: 'silicone souple',
        })),
      }),
    ),
  );
  for (const response of [...singles, ...batches]) expect(response.status).toBe(200);
  return [
    ...singles.map((response) => response.body),
    ...batches.flatMap((response) => response.body.predictions),
  ];
}

const answerOf = ({ prdtypecode, confidence, top_k, model }: Prediction) => ({
  prdtypecode,
  confidence,
  top_k,
  model,
});

describe('shadow traffic to a candidate model', () => {
  let predictions: Prediction[];
  let candidateVersion: string;
  let shadowedUrl: string;

  test("the caller gets the primary's answers; every mirrored prediction lands in inference_log as shadow_of the id the caller got, outside the served counts", async () => {
    const reference = await serve({});
    const shadowed = await serve({
      CANDIDATE_MODEL_URI: candidateBundle,
      SHADOW_PERCENT: '100',
      DATABASE_URL: database.url,
      FEEDBACK_TOKEN: feedbackToken,
    });
    shadowedUrl = shadowed.url;
    await waitUntil('the candidate is loaded', async () => {
      const health = await getJson<{ candidate: { model: { version: string } | null } }>(
        `${shadowed.url}/health`,
      );
      candidateVersion = health.body.candidate.model?.version ?? '';
      return candidateVersion !== '';
    });
    predictions = await sendTraffic(shadowed.url);
    const referenceAnswers = await sendTraffic(reference.url);
    expect(predictions.map(answerOf)).toEqual(referenceAnswers.map(answerOf));
    expect(new Set(predictions.map((prediction) => prediction.model.version)).size).toBe(1);
    expect(predictions[0]?.model.version).not.toBe(candidateVersion);

    await waitUntil('60 served and 60 shadow rows are written', async () => {
      const { rows } = await client.query<{ n: number }>('select count(*)::int as n from inference_log');
      return rows[0]?.n === 120;
    });
    const { rows } = await client.query<{
      shadow_of: string;
      model_version: string;
      productid: string | null;
      designation: string;
      served_productid: string | null;
      served_designation: string;
      model_ms: number | null;
    }>(`select s.shadow_of, s.model_version, s.productid, s.designation, s.model_ms,
        p.productid as served_productid, p.designation as served_designation
      from inference_log s join inference_log p on p.prediction_id = s.shadow_of
      where s.shadow_of is not null and p.shadow_of is null`);
    expect(rows.map((row) => row.shadow_of).sort()).toEqual(
      predictions.map((prediction) => prediction.prediction_id).sort(),
    );
    for (const row of rows) {
      expect(row).toMatchObject({
        model_version: candidateVersion,
        productid: row.served_productid,
        designation: row.served_designation,
      });
      expect(row.model_ms).toBeGreaterThan(0);
    }
    const served = await client.query<{ served: number }>(
      'select sum(served)::int as served from inference_log_hourly',
    );
    expect(served.rows[0]?.served).toBe(60);

    const exposition = await metrics(shadowed);
    const agreeing =
      sampleValue(
        exposition,
        `prodclass_shadow_predictions_total{model_version="${candidateVersion}",agrees="true"}`,
      ) ?? 0;
    const disagreeing =
      sampleValue(
        exposition,
        `prodclass_shadow_predictions_total{model_version="${candidateVersion}",agrees="false"}`,
      ) ?? 0;
    expect(agreeing + disagreeing).toBe(60);
  }, 120_000);

  test('labels find the served predictions, never their shadow rows', async () => {
    const label = (items: unknown[]) =>
      fetch(`${shadowedUrl}/feedback/batch`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${feedbackToken}` },
        body: JSON.stringify({ items }),
      });
    // Product 500 was asked once: one served row and its shadow row carry the productid.
    expect((await label([{ productid: 500, prdtypecode: 2060 }])).status).toBe(200);
    const labeled = await client.query<{ prediction_id: string; model_version: string }>(
      'select prediction_id, model_version from prediction_feedback',
    );
    expect(labeled.rows).toEqual([
      { prediction_id: predictions[0]?.prediction_id, model_version: predictions[0]?.model.version },
    ]);
    const shadowRow = await client.query<{ prediction_id: string }>(
      'select prediction_id from inference_log where shadow_of is not null limit 1',
    );
    const refused = await label([{ prediction_id: shadowRow.rows[0]?.prediction_id, prdtypecode: 2060 }]);
    expect(refused.status).toBe(422);
    expect(await refused.text()).toContain(
      `no logged prediction has the id ${shadowRow.rows[0]?.prediction_id}`,
    );
  }, 60_000);

  test('the shadow comparison (SQL) and `prodclass rollout shadow-report` count agreement and class flips as the rows have them', async () => {
    const { rows } = await client.query<{ served_code: number; shadow_code: number }>(
      `select p.prdtypecode as served_code, s.prdtypecode as shadow_code
      from inference_log s join inference_log p on p.prediction_id = s.shadow_of`,
    );
    const agreeing = rows.filter((row) => row.served_code === row.shadow_code).length;
    const cells = new Map<string, number>();
    for (const row of rows) {
      const key = `${row.served_code}>${row.shadow_code}`;
      cells.set(key, (cells.get(key) ?? 0) + 1);
    }
    const window = {
      modelName: 'model.bundle',
      from: new Date(Date.now() - 3_600_000),
      to: new Date(Date.now() + 60_000),
    };
    const [comparison, ...others] = await shadowComparison(client, window);
    expect(others).toEqual([]);
    expect(comparison).toMatchObject({
      candidateVersion,
      primaryVersion: predictions[0]?.model.version,
      pairs: 60,
      agreeing,
      agreement: agreeing / 60,
    });
    expect(
      new Map(comparison?.matrix.map((cell) => [`${cell.primaryCode}>${cell.candidateCode}`, cell.count])),
    ).toEqual(cells);
    expect(comparison?.primary.p99Ms).toBeGreaterThan(0);
    expect(comparison?.candidate.p50Ms).toBeGreaterThan(0);
    expect(await shadowComparison(client, { ...window, candidateVersion: 'sha256:000000000000' })).toEqual(
      [],
    );

    const report = await runCli(['rollout', 'shadow-report', '--model', 'model.bundle', '--json'], {
      DATABASE_URL: database.url,
    });
    expect(report.stderr).toBe('');
    expect(report.code).toBe(0);
    const printed = JSON.parse(report.stdout) as { comparisons: { pairs: number; agreeing: number }[] };
    expect(printed.comparisons).toMatchObject([{ pairs: 60, agreeing }]);
  }, 60_000);

  test('a request that does not fit the shadow queue is dropped and counted; the answer is the same', async () => {
    // Room for 3 predictions: a single request fits once the one before it has been predicted
    // (predictions sent to the candidate's thread count until they are back), no batch of 5 ever does.
    const server = await serve({
      CANDIDATE_MODEL_URI: candidateBundle,
      SHADOW_PERCENT: '100',
      SHADOW_QUEUE_CAPACITY: '3',
    });
    await waitUntil('the candidate is loaded', async () =>
      (await metrics(server)).includes('prodclass_candidate_model_info{'),
    );
    const shadowPredictions = async () => {
      const exposition = await metrics(server);
      const count = (agrees: string) =>
        sampleValue(
          exposition,
          `prodclass_shadow_predictions_total{model_version="${candidateVersion}",agrees="${agrees}"}`,
        ) ?? 0;
      return count('true') + count('false');
    };
    const answers = await sendTraffic(server.url, async (answered) =>
      waitUntil(`single request ${answered} is predicted by the candidate`, async () => {
        return (await shadowPredictions()) === answered;
      }),
    );
    expect(answers.map(answerOf)).toEqual(predictions.map(answerOf));
    expect(await shadowPredictions()).toBe(40);
    expect(sampleValue(await metrics(server), 'prodclass_shadow_dropped_total{reason="queue_full"}')).toBe(
      20,
    );
  }, 60_000);

  test('a candidate that cannot be loaded leaves the primary serving; its mirrored requests are counted as dropped', async () => {
    const server = await serve({
      CANDIDATE_MODEL_URI: '/nonexistent/candidate/model.bundle',
      SHADOW_PERCENT: '100',
      CANARY_WEIGHT: '50',
    });
    await waitUntil('the candidate load has failed', async () => {
      const health = await getJson<{ candidate: { last_failure: unknown } }>(`${server.url}/health`);
      return health.body.candidate.last_failure !== null;
    });
    const answers = await sendTraffic(server.url);
    expect(answers.map(answerOf)).toEqual(predictions.map(answerOf));
    await waitUntil(
      'every mirrored prediction is counted as dropped',
      async () =>
        sampleValue(await metrics(server), 'prodclass_shadow_dropped_total{reason="no_model"}') === 60,
    );
  }, 60_000);

  test('on close, what is still queued for the candidate is predicted and its shadow rows are written', async () => {
    const server = await serve({
      CANDIDATE_MODEL_URI: candidateBundle,
      SHADOW_PERCENT: '100',
      DATABASE_URL: database.url,
    });
    await waitUntil('the candidate is loaded', async () =>
      (await metrics(server)).includes('prodclass_candidate_model_info{'),
    );
    const answers = await sendTraffic(server.url);
    servers.splice(servers.indexOf(server), 1);
    await server.close();
    const { rows } = await client.query<{ shadows: number }>(
      'select count(*)::int as shadows from inference_log where shadow_of = any($1)',
      [answers.map((answer) => answer.prediction_id)],
    );
    expect(rows[0]?.shadows).toBe(60);
  }, 60_000);
});
