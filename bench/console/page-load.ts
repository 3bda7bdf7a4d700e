// The console's Training page with 1,000 TrainingRuns in its namespace, against the local stack:
// server time per page load (fastify's elapsed time from request to response sent), the client's
// time, and the page size. Run: npx tsx bench/console/page-load.ts [runs] [loads]
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { hyperparameterDefaults } from '@prodclass/api/defaults';
import { withDatabase } from '@prodclass/catalog/database';
import { migrate } from '@prodclass/catalog/migrate';
import { KubeApi } from '@prodclass/kube/api';
import { connectionFromKubeconfig } from '@prodclass/kube/connection';
import { buildConsole } from '../../console/src/server.js';
import { trainingRunType } from '../../operator/src/resources/types.js';
import { up } from '../../stack/stack.js';

const runs = Number(process.argv[2] ?? 1000);
const loads = Number(process.argv[3] ?? 200);
const root = path.resolve(import.meta.dirname, '../..');
const run = promisify(execFile);

const { env } = await up();
await withDatabase(env.DATABASE_URL, migrate);
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
const namespace = `bench-console-${randomBytes(3).toString('hex')}`;
await kubectl('create', 'namespace', namespace);
const connection = connectionFromKubeconfig(env.KUBECONFIG);
const api = new KubeApi(connection);

/** Creates the runs 50 at a time, each with the status a finished, promoted run has. */
async function createRuns(): Promise<void> {
  for (let start = 0; start < runs; start += 50) {
    await Promise.all(
      Array.from({ length: Math.min(50, runs - start) }, async (_, offset) => {
        const index = start + offset;
        const name = `run-${String(index).padStart(4, '0')}`;
        await api.create(trainingRunType, namespace, {
          apiVersion: trainingRunType.apiVersion,
          kind: trainingRunType.kind,
          metadata: { name },
          spec: {
            dataVersion: `week-${index % 20}`,
            hyperparameters: { maxFeatures: hyperparameterDefaults.maxFeatures, c: hyperparameterDefaults.c },
          },
        } as never);
        await api.mergePatch(
          trainingRunType,
          namespace,
          name,
          {
            status: {
              phase: 'Succeeded',
              dataVersion: `week-${index % 20}`,
              mlflowRunId: randomBytes(16).toString('hex'),
              modelVersion: String(index + 1),
              metrics: { accuracy: 0.78, f1Weighted: 0.7 + (index % 100) / 1000 },
              promotion: {
                decision: index % 3 ? 'reject' : 'promote',
                reason: 'weighted F1 0.7052 ≥ 0.7000',
              },
            },
          },
          'status',
        );
      }),
    );
  }
}

const createdAt = performance.now();
await createRuns();
process.stderr.write(`created ${runs} TrainingRuns in ${Math.round(performance.now() - createdAt)} ms\n`);

const { app } = await buildConsole({
  config: {
    port: 0,
    host: '127.0.0.1',
    namespace,
    registeredModel: 'rakuten_classifier',
    alias: 'production',
    databaseUrl: env.DATABASE_URL,
    mlflowTrackingUri: env.MLFLOW_TRACKING_URI,
    mlflowPublicUrl: env.MLFLOW_TRACKING_URI,
    prometheusUrl: env.PROMETHEUS_URL,
    feedbackToken: undefined,
    auth: { mode: 'off', userHeader: 'x-forwarded-user', groupsHeader: 'x-forwarded-groups' },
    secureCookies: false,
    logLevel: 'warn',
  },
  connection,
});
const serverMs: number[] = [];
app.addHook('onResponse', async (request, reply) => {
  if (request.url === '/training') serverMs.push(reply.elapsedTime);
});
const address = await app.listen({ port: 0, host: '127.0.0.1' });

let bytes = 0;
let rows = 0;
const clientMs: number[] = [];
for (let index = 0; index < loads + 20; index++) {
  const started = performance.now();
  const response = await fetch(`${address}/training`, {
    headers: { cookie: `prodclass_csrf=${'a'.repeat(32)}` },
  });
  const page = await response.text();
  if (index >= 20) clientMs.push(performance.now() - started);
  bytes = page.length;
  rows = page.split('data-key="TrainingRun/').length - 1;
}
const measured = serverMs.slice(20);
await app.close();
await kubectl('delete', 'namespace', namespace, '--wait=false');

const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
};
const summary = (values: number[]) =>
  `p50 ${quantile(values, 0.5).toFixed(1)} ms, p95 ${quantile(values, 0.95).toFixed(1)} ms, p99 ${quantile(values, 0.99).toFixed(1)} ms, max ${Math.max(...values).toFixed(1)} ms`;
console.log(
  JSON.stringify({
    runs,
    rowsOnPage: rows,
    pageKiB: Math.round(bytes / 1024),
    loads: measured.length,
    loadAverage1m: os.loadavg()[0]?.toFixed(1),
  }),
);
console.log(`server time: ${summary(measured)}`);
console.log(`client time: ${summary(clientMs)}`);
