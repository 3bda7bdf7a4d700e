import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { stackEnv } from '../support/stack-env.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { fitTestBundle, writeTestBundle } from './support/bundle.js';
import { TestRegistry } from './support/mlflow-registry.js';
import { getJson, postJson, sampleValue, startServer, waitUntil, waitUntilReady } from './support/server.js';

// What the model server does when something around it fails: a first model load that fails (the
// alias does not exist yet) and then succeeds, inference-log writes that PostgreSQL refuses, and a
// DATABASE_URL that nothing answers at start-up.
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});

afterAll(async () => database?.drop());

async function sql(text: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    return await client.query(text);
  } finally {
    await client.end();
  }
}

const metric = async (url: string, sample: string) =>
  sampleValue(await (await fetch(`${url}/metrics`)).text(), sample) ?? 0;

test('a first load that fails leaves the server not ready; a later poll loads the model and it serves', async () => {
  const registry = new TestRegistry();
  await registry.createModel();
  const version = await registry.addVersion(await fitTestBundle(71));
  const server = await startServer({
    MODEL_URI: `models:/${registry.name}@production`,
    MLFLOW_TRACKING_URI: stackEnv().MLFLOW_TRACKING_URI,
    RELOAD_INTERVAL_SECONDS: '0.3',
  });
  try {
    const failure = 'prodclass_model_reloads_total{result="failure"}';
    // The first load and the polls after it fail: the server keeps trying.
    await waitUntil('three loads have failed', async () => (await metric(server.url, failure)) >= 3);
    expect((await fetch(`${server.url}/ready`)).status).toBe(503);
    const health = await getJson<{ model: unknown; last_failure: { message: string } | null }>(
      `${server.url}/health`,
    );
    expect(health.body.model).toBeNull();
    expect(health.body.last_failure?.message).toContain('production');
    expect((await postJson(`${server.url}/predict`, { designation: 'Lampe de chevet' })).status).toBe(503);

    await registry.setAlias('production', version);
    await waitUntilReady(server.url);
    const answer = await postJson(`${server.url}/predict`, { designation: 'Lampe de chevet' });
    expect(answer.status).toBe(200);
    expect(answer.body.model.version).toBe(version);
    expect((await getJson<{ last_failure: unknown }>(`${server.url}/health`)).body.last_failure).toBeNull();
  } finally {
    await server.close();
  }
});

test('inference-log writes PostgreSQL refuses are counted as dropped (write_failed); writing resumes after', async () => {
  const server = await startServer({
    MODEL_URI: await writeTestBundle('failure-paths', 72),
    DATABASE_URL: database.url,
  });
  try {
    await waitUntilReady(server.url);
    const dropped = 'prodclass_inference_log_dropped_total{reason="write_failed"}';
    expect(await metric(server.url, dropped)).toBe(0);
    await sql('alter table inference_log rename to inference_log_away');
    try {
      for (let index = 0; index < 5; index++)
        expect((await postJson(`${server.url}/predict`, { designation: `Robe ${index}` })).status).toBe(200);
      await waitUntil('the failed write is counted', async () => (await metric(server.url, dropped)) >= 5);
      expect(await metric(server.url, dropped)).toBe(5);
      expect(await metric(server.url, 'prodclass_inference_log_dropped_total{reason="queue_full"}')).toBe(0);
    } finally {
      await sql('alter table inference_log_away rename to inference_log');
    }
    const { body } = await postJson(`${server.url}/predict`, { designation: 'Robe après' });
    await waitUntil(
      'the next prediction is written',
      async () =>
        (
          await sql(
            `select count(*)::int as n from inference_log where prediction_id = '${body.prediction_id}'`,
          )
        ).rows[0].n === 1,
    );
    expect((await sql('select count(*)::int as n from inference_log')).rows[0].n).toBe(1);
  } finally {
    await server.close();
  }
});

test('an unreachable DATABASE_URL at start-up: one clear line naming it, exit code 1, no stack trace', async () => {
  const closed = net.createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const { port } = closed.address() as net.AddressInfo;
  await new Promise((resolve) => closed.close(resolve));
  const child = spawn(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', path.join(repoRoot, 'model-server/src/main.ts')],
    {
      cwd: repoRoot,
      env: {
        PATH: process.env.PATH,
        HOST: '127.0.0.1',
        PORT: '0',
        MODEL_URI: await writeTestBundle('failure-paths-no-db', 73),
        DATABASE_URL: `postgres://prodclass:secret@127.0.0.1:${port}/prodclass`,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  expect(code).toBe(1);
  expect(stderr).toBe(
    `model-server: cannot reach the inference-log database (DATABASE_URL): connect ECONNREFUSED 127.0.0.1:${port}\n`,
  );
});
