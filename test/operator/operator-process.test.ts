import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { jobType, leaseType } from '@prodclass/kube/objects';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { stackEnv } from '../support/stack-env.js';
import { createTestDatabase } from '../support/test-database.js';
import { applyCrds, createNamespace, deleteNamespace, waitFor } from './support/cluster.js';
import { Resources, repository } from './support/harness.js';

// The operator as a process (operator/src/main.ts): probes, metrics, JSON logs, SIGKILL in the
// middle of a burst of reconciles, SIGTERM handing the lease over.
let namespace: string;
let database: { url: string; drop(): Promise<void> };
let resources: Resources;
const processes: ChildProcess[] = [];

interface OperatorProcess {
  child: ChildProcess;
  port: number;
  lines: string[];
  exited: Promise<number | null>;
}

async function startProcess(identity: string, env: Record<string, string> = {}): Promise<OperatorProcess> {
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const child = spawn(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', path.join(repository, 'operator/src/main.ts')],
    {
      cwd: repository,
      env: {
        PATH: process.env.PATH ?? '',
        KUBECONFIG: stackEnv().KUBECONFIG,
        DATABASE_URL: database.url,
        MLFLOW_TRACKING_URI: stackEnv().MLFLOW_TRACKING_URI,
        WATCH_NAMESPACE: namespace,
        POD_NAME: identity,
        HTTP_HOST: '127.0.0.1',
        HTTP_PORT: String(port),
        LEASE_DURATION_SECONDS: '4',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  processes.push(child);
  const lines: string[] = [];
  let buffer = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const parts = buffer.split('\n');
    buffer = parts.pop() ?? '';
    lines.push(...parts);
  });
  child.stderr?.on('data', (chunk: Buffer) => lines.push(`stderr: ${chunk}`));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, port, lines, exited };
}

const get = (port: number, route: string) =>
  fetch(`http://127.0.0.1:${port}${route}`).then(async (response) => ({
    status: response.status,
    text: await response.text(),
  }));

async function lease() {
  return resources.getAt(leaseType.path(namespace, 'prodclass-operator'));
}

beforeAll(async () => {
  await applyCrds();
  namespace = await createNamespace('op-process');
  database = await createTestDatabase();
  resources = new Resources(namespace);
});

afterAll(async () => {
  for (const child of processes) if (child.exitCode === null) child.kill('SIGKILL');
  await deleteNamespace(namespace);
  await database?.drop();
});

test('a configuration error is one clear line and exit code 2', async () => {
  const bad = await startProcess('bad', { MLFLOW_TRACKING_URI: 'not a url' });
  expect(await bad.exited).toBe(2);
  expect(bad.lines.join('\n')).toContain('MLFLOW_TRACKING_URI is not a valid URL');
});

test('SIGKILL in the middle of a burst: the next leader finishes it without a duplicate Job', async () => {
  const first = await startProcess('first');
  await waitFor('/readyz', async () => (await get(first.port, '/readyz')).status === 200, 30_000);
  expect((await get(first.port, '/healthz')).status).toBe(200);
  await waitFor('leadership', async () => (await lease()).spec.holderIdentity === 'first', 15_000);

  const names = Array.from({ length: 30 }, (_, i) => `burst-${i}`);
  await Promise.all(names.map((name) => resources.create('TrainingRun', 'trainingruns', name, {})));
  await waitFor('the first Job', async () => {
    const jobs = await resources.getAt(jobType.path(namespace));
    return jobs.items.length > 0;
  });
  first.child.kill('SIGKILL');
  await first.exited;

  const second = await startProcess('second');
  await waitFor(
    'every TrainingRun to have its Job',
    async () => {
      const runs = await resources.getAt(resources.path('trainingruns'));
      return runs.items.every((run: { status?: { jobName?: string } }) => run.status?.jobName);
    },
    30_000,
  );
  const jobs = await resources.getAt(jobType.path(namespace));
  expect(jobs.items.map((job: { metadata: { name: string } }) => job.metadata.name).sort()).toEqual(
    names.map((name) => `${name}-train`).sort(),
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

  // SIGTERM: the lease is handed back, so a successor leads at once instead of after it expires.
  second.child.kill('SIGTERM');
  expect(await second.exited).toBe(0);
  expect((await lease()).spec.holderIdentity).toBeFalsy();
  const started = Date.now();
  const third = await startProcess('third');
  await waitFor('the successor to lead', async () => (await lease()).spec.holderIdentity === 'third', 15_000);
  expect(Date.now() - started).toBeLessThan(10_000);
  third.child.kill('SIGTERM');
  expect(await third.exited).toBe(0);
}, 120_000);
