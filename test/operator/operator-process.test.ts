import { type ChildProcess, execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { leaseType } from '@prodclass/kube/objects';
import pg from 'pg';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { LocalRunner } from '../../stack/local-runner/runner.js';
import { createTestDatabase } from '../support/test-database.js';
import { applyCrds, createNamespace, deleteNamespace, waitFor } from './support/cluster.js';
import { createPipelineSecret, Resources, repository, runLocalRunner } from './support/harness.js';
import { mlflow, runsTagged } from './support/mlflow.js';
import { type OperatorProcess, startOperatorProcess } from './support/operator-process.js';

// The operator as a process (operator/src/main.ts): probes, metrics, JSON logs, SIGKILL in the
// middle of a burst of TrainingRuns (trained for real by the local runner), SIGTERM handing the
// lease over.
const suffix = randomBytes(4).toString('hex');
const registeredModel = `op_proc_${suffix}`;
const experiment = `op_proc_${suffix}`;
let namespace: string;
let database: { url: string; drop(): Promise<void> };
let resources: Resources;
let runner: LocalRunner;
const processes: ChildProcess[] = [];

interface Run {
  metadata: { name: string };
  status?: {
    phase?: string;
    jobName?: string;
    modelVersion?: string;
    promotion?: { decision?: string };
    conditions?: { type: string; status: string }[];
  };
}

function startProcess(identity: string, env: Record<string, string> = {}): OperatorProcess {
  const started = startOperatorProcess(namespace, database.url, identity, env);
  processes.push(started.child);
  return started;
}

const get = (port: number, route: string) =>
  fetch(`http://127.0.0.1:${port}${route}`).then(async (response) => ({
    status: response.status,
    text: await response.text(),
  }));

async function lease() {
  return resources.getAt(leaseType.path(namespace, 'prodclass-operator'));
}

async function trainingRuns(): Promise<Run[]> {
  return (await resources.getAt(resources.path('trainingruns'))).items;
}

/** The promotions table's rows for the model: every alias move the registry module recorded. */
async function promotedVersions(): Promise<number[]> {
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    const { rows } = await client.query<{ version: number }>(
      `select version from promotions where registered_model = $1 and decision = 'promoted' order by version`,
      [registeredModel],
    );
    return rows.map((row) => row.version);
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  await applyCrds();
  namespace = await createNamespace('op-process');
  database = await createTestDatabase();
  resources = new Resources(namespace);
  await createPipelineSecret(namespace, database.url);
  await promisify(execFile)(
    process.execPath,
    [
      path.join(repository, 'trainer-job/dist/cli.js'),
      ...['data', 'load', '--source', 'synthetic', '--synthetic-rows', '1000', '--to-percent', '40'],
      ...['--name', 'load_40'],
    ],
    { env: { ...process.env, DATABASE_URL: database.url } },
  );
  runner = await runLocalRunner(namespace, ['training']);
});

afterAll(async () => {
  for (const child of processes) if (child.exitCode === null) child.kill('SIGKILL');
  await runner?.stop();
  await deleteNamespace(namespace);
  await database?.drop();
});

test('a configuration error is one clear line and exit code 2', async () => {
  const bad = await startProcess('bad', { MLFLOW_TRACKING_URI: 'not a url' });
  expect(await bad.exited).toBe(2);
  expect(bad.lines.join('\n')).toContain('MLFLOW_TRACKING_URI is not a valid URL');
});

test('SIGKILL in the middle of a burst: the next leader finishes it without a duplicate run, version or promotion', async () => {
  const first = await startProcess('first');
  await waitFor('/readyz', async () => (await get(first.port, '/readyz')).status === 200, 30_000);
  expect((await get(first.port, '/healthz')).status).toBe(200);
  await waitFor('leadership', async () => (await lease()).spec.holderIdentity === 'first', 15_000);

  // Four runs train at once; two wait for a DataIncrement that only appears after the kill.
  const spec = (dataVersion: string) => ({
    registeredModel,
    experiment,
    dataVersion,
    autoPromote: { enabled: true, minF1: 0.1, alias: 'production' },
    hyperparameters: { maxFeatures: 300, maxIter: 100 },
  });
  const now = ['burst-0', 'burst-1', 'burst-2', 'burst-3'];
  const late = ['burst-4', 'burst-5'];
  await Promise.all([
    ...now.map((name) => resources.create('TrainingRun', 'trainingruns', name, spec('latest'))),
    ...late.map((name) => resources.create('TrainingRun', 'trainingruns', name, spec('late'))),
  ]);
  await waitFor(
    'a first run to be trained and recorded',
    async () => (await trainingRuns()).some((run) => run.status?.phase === 'Succeeded'),
    180_000,
  );
  first.child.kill('SIGKILL');
  await first.exited;
  const atKill = await trainingRuns();
  expect(atKill.filter((run) => run.status?.phase !== 'Succeeded').length).toBeGreaterThanOrEqual(
    late.length,
  );
  for (const name of late)
    expect(atKill.find((run) => run.metadata.name === name)?.status?.jobName).toBeUndefined();

  const second = await startProcess('second');
  await resources.create('DataIncrement', 'dataincrements', 'late', {
    source: { synthetic: { rows: 1000 } },
    toPercent: 40,
    dataVersion: 'load_40',
  });
  await waitFor(
    'every run to be trained and its promotion decided',
    async () =>
      (await trainingRuns()).every(
        (run) =>
          run.status?.phase === 'Failed' ||
          (run.status?.phase === 'Succeeded' &&
            (run.status.promotion?.decision !== 'promote' ||
              run.status.conditions?.some((c) => c.type === 'Promoted' && c.status !== 'Unknown'))),
      ),
    240_000,
  );
  const runs = await trainingRuns();
  const names = [...now, ...late];
  // One finished run each. A Job may retry a failed attempt (its FAILED run is no duplicate): two
  // runs on one load in one experiment at once can race on MLflow's dataset insert.
  expect(
    await Promise.all(names.map((name) => runsTagged(experiment, `${namespace}/${name}`, 'FINISHED'))),
  ).toEqual(names.map(() => 1));
  expect(runs.map((run) => run.status?.phase)).toEqual(names.map(() => 'Succeeded'));
  const { model_versions } = await mlflow<{ model_versions: { version: string }[] }>(
    'GET',
    `model-versions/search?filter=${encodeURIComponent(`name='${registeredModel}'`)}`,
  );
  expect(model_versions.map((v) => v.version).sort()).toEqual(
    runs.map((run) => run.status?.modelVersion).sort(),
  );
  const promoted = runs.filter((run) => run.status?.promotion?.decision === 'promote');
  expect(promoted.length).toBeGreaterThan(0);
  expect(await promotedVersions()).toEqual(promoted.map((run) => Number(run.status?.modelVersion)).sort());
  const promotions = (await resources.getAt(resources.path('modelpromotions'))).items;
  expect(promotions.map((p: { metadata: { name: string } }) => p.metadata.name).sort()).toEqual(
    promoted.map((run) => `${run.metadata.name}-promotion`).sort(),
  );
  expect((await lease()).spec.holderIdentity).toBe('second');

  const metrics = await get(second.port, '/metrics');
  expect(metrics.text).toMatch(
    /prodclass_operator_reconciles_total\{kind="TrainingRun",result="success"\} \d+/,
  );
  expect(metrics.text).toContain('prodclass_operator_reconcile_duration_seconds_bucket');
  expect(metrics.text).toContain('prodclass_operator_queue_depth{kind="TrainingRun"}');
  expect(metrics.text).toContain('prodclass_operator_leader 1');
  expect(metrics.text).toContain('prodclass_operator_process_resident_memory_bytes');
  for (const line of second.lines.filter((l) => l.startsWith('{')))
    expect(JSON.parse(line)).toMatchObject({
      level: expect.any(String),
      msg: expect.any(String),
      time: expect.any(String),
    });

  // SIGTERM hands the lease back: the record is cleared, and a successor that would wait five minutes
  // for a lease still held (its lease duration) leads at once.
  second.child.kill('SIGTERM');
  expect(await second.exited).toBe(0);
  expect((await lease()).spec.holderIdentity).toBeFalsy();
  const third = await startProcess('third', { LEASE_DURATION_SECONDS: '300' });
  await waitFor('the successor to lead', async () => (await lease()).spec.holderIdentity === 'third', 30_000);
  third.child.kill('SIGTERM');
  expect(await third.exited).toBe(0);
}, 600_000);
