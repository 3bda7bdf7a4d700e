// 100 TrainingRuns applied at once against the local stack: latency from each create request to
// its Job appearing (seen through a watch), time until all Jobs exist, and the operator's peak RSS.
// Run: npx tsx bench/operator/trainingrun-burst.ts [count]
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { KubeApi } from '@prodclass/kube/api';
import { connectionFromKubeconfig } from '@prodclass/kube/connection';
import { jobType } from '@prodclass/kube/objects';
import { trainingRunType } from '../../operator/src/resources/types.js';
import { up } from '../../stack/stack.js';

const count = Number(process.argv[2] ?? 100);
const root = path.resolve(import.meta.dirname, '../..');
const run = promisify(execFile);

const { env } = await up();
const kubectl = (...args: string[]) =>
  run('kubectl', args, { env: { ...process.env, KUBECONFIG: env.KUBECONFIG } });
await kubectl(
  'apply',
  '--server-side',
  '--force-conflicts',
  '--field-manager=prodclass-bench',
  '-f',
  path.join(root, 'crds'),
);
await kubectl('wait', '--for=condition=Established', '-f', path.join(root, 'crds'));
const namespace = `bench-op-${randomBytes(3).toString('hex')}`;
await kubectl('create', 'namespace', namespace);

const api = new KubeApi(connectionFromKubeconfig(env.KUBECONFIG));
const port = 20_000 + Math.floor(Math.random() * 20_000);
const operator = spawn(process.execPath, [path.join(root, 'operator/dist/main.js')], {
  env: {
    PATH: process.env.PATH ?? '',
    KUBECONFIG: env.KUBECONFIG,
    DATABASE_URL: env.DATABASE_URL,
    MLFLOW_TRACKING_URI: env.MLFLOW_TRACKING_URI,
    WATCH_NAMESPACE: namespace,
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: String(port),
    LOG_LEVEL: 'warn',
    ...(process.env.RECONCILE_CONCURRENCY
      ? { RECONCILE_CONCURRENCY: process.env.RECONCILE_CONCURRENCY }
      : {}),
  },
  stdio: ['ignore', 'inherit', 'inherit'],
});
const peakRssMb = () => {
  const status = fs.readFileSync(`/proc/${operator.pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1]) / 1024;
};

try {
  for (;;) {
    const metrics = await fetch(`http://127.0.0.1:${port}/metrics`).then(
      (r) => r.text(),
      () => '',
    );
    if (metrics.includes('prodclass_operator_leader 1')) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const idleRss = peakRssMb();
  // Other work on the machine (the stack, other test runs) shares its two cores: say how busy it was.
  const loadBefore = os.loadavg()[0];

  const seen = new Map<string, number>();
  let allSeen: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    allSeen = resolve;
  });
  const watch = new AbortController();
  void api.watch(
    jobType.path(namespace),
    {},
    (event) => {
      const { type, object } = event as { type: string; object: { metadata: { name: string } } };
      if (type !== 'ADDED' || seen.has(object.metadata.name)) return;
      seen.set(object.metadata.name, performance.now());
      if (seen.size === count) allSeen();
    },
    watch.signal,
  );

  const names = Array.from({ length: count }, (_, i) => `burst-${i}`);
  const sent = new Map<string, number>();
  const created = new Map<string, number>();
  const firstSent = performance.now();
  await Promise.all(
    names.map(async (name) => {
      sent.set(name, performance.now());
      await api.create(trainingRunType, namespace, {
        apiVersion: trainingRunType.apiVersion,
        kind: trainingRunType.kind,
        metadata: { name },
        spec: {},
      });
      created.set(name, performance.now());
    }),
  );
  await done;
  const total = Math.max(...seen.values()) - firstSent;
  watch.abort();
  const metrics = await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text());
  const metric = (name: string) =>
    Number(new RegExp(`^${name}\\{kind="TrainingRun"\\} (\\S+)$`, 'm').exec(metrics)?.[1] ?? Number.NaN);
  const reconcileMs =
    (1000 * metric('prodclass_operator_reconcile_duration_seconds_sum')) /
    metric('prodclass_operator_reconcile_duration_seconds_count');

  const latencies = (from: Map<string, number>) => {
    const sorted = names
      .map((name) => (seen.get(`${name}-train`) ?? Number.NaN) - (from.get(name) ?? Number.NaN))
      .sort((a, b) => a - b);
    const quantile = (q: number) =>
      sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? 0;
    return { p50: quantile(0.5), p99: quantile(0.99), max: quantile(1) };
  };
  console.log(
    JSON.stringify(
      {
        trainingRuns: count,
        cpus: os.cpus().length,
        memoryGiB: Math.round(os.totalmem() / 2 ** 30),
        loadAverage1mBefore: loadBefore,
        reconcileConcurrency: Number(process.env.RECONCILE_CONCURRENCY ?? 8),
        // From the create request being sent, and from the API server acknowledging it (created).
        requestToJobMs: latencies(sent),
        createdToJobMs: latencies(created),
        lastCreateAcknowledgedMs: Math.max(...created.values()) - firstSent,
        allJobsExistMs: total,
        meanReconcileMs: reconcileMs,
        reconciles: Object.fromEntries(
          [
            ...metrics.matchAll(
              /^prodclass_operator_reconciles_total\{kind="TrainingRun",result="(\w+)"\} (\d+)$/gm,
            ),
          ].map((match) => [match[1], Number(match[2])]),
        ),
        operatorRssMb: { idle: idleRss, peak: peakRssMb() },
      },
      (_key, value) => (typeof value === 'number' ? Math.round(value * 10) / 10 : value),
      2,
    ),
  );
} finally {
  operator.kill('SIGTERM');
  await new Promise((resolve) => operator.once('exit', resolve));
  await kubectl('delete', 'namespace', namespace, '--wait=false');
}
