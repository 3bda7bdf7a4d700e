/**
 * Resident memory of the operator and the model server as built from one or more checkouts (issue 16:
 * before and after the package split), each started from dist/ against the local stack as the tests
 * start them. Rounds alternate between the checkouts so other load on the machine hits each alike.
 *
 * Usage: npm run build && npx tsx bench/package-split/rss.ts LABEL=REPO_ROOT [LABEL=REPO_ROOT ...]
 * e.g.   npx tsx bench/package-split/rss.ts before=/tmp/prodclass-before after=.
 * (each REPO_ROOT built with `npm run build`). Prints, per checkout, the VmRSS of each round and
 * the median: operator once it leads, model server after start-up and after 100 predictions.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { generateSyntheticCatalog } from '@prodclass/catalog/synthetic/generator';
import { encodeModelBundle } from '@prodclass/textmodel/bundle/model-bundle';
import { defaultTfidfSettings } from '@prodclass/textmodel/features/tfidf-vectorizer';
import { defaultLogisticRegressionSettings } from '@prodclass/textmodel/model/logistic-regression';
import { TextClassifier } from '@prodclass/textmodel/model/text-classifier';
import { defaultTextSettings } from '@prodclass/textmodel/text/product-text';
import { repoRoot } from '../../stack/paths.js';
import { freePort } from '../../stack/processes.js';
import { up } from '../../stack/stack.js';

const rounds = 3;
const predictions = 100;
/** As in bench/model-server: the model a production-sized catalog sample gives. */
const trainingRows = 16_000;
const settleMs = 2_000;

const checkouts = process.argv.slice(2).map((argument) => {
  const [label, root] = argument.split('=') as [string, string | undefined];
  if (!root) throw new Error(`expected LABEL=REPO_ROOT, got "${argument}"`);
  return { label, root: path.resolve(root) };
});
if (checkouts.length === 0) throw new Error('usage: rss.ts LABEL=REPO_ROOT [LABEL=REPO_ROOT ...]');
for (const { root } of checkouts)
  for (const main of ['operator/dist/main.js', 'model-server/dist/main.js'])
    if (!fs.existsSync(path.join(root, main)))
      throw new Error(`${root}: no ${main}; run npm run build there`);

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const rssMb = (pid: number) =>
  Number(/VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024;

async function until(what: string, child: ChildProcess, ready: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${what} exited with code ${child.exitCode}`);
    if (await ready().catch(() => false)) return;
    await sleep(100);
  }
  throw new Error(`${what} was not ready within 120 s`);
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

const { env } = await up();
const kubectl = (...args: string[]) =>
  run('kubectl', args, { env: { ...process.env, KUBECONFIG: env.KUBECONFIG } });
await kubectl(
  'apply',
  '--server-side',
  '--force-conflicts',
  '--field-manager=prodclass-bench',
  '-f',
  path.join(repoRoot, 'crds'),
);
const namespace = `bench-rss-${randomBytes(3).toString('hex')}`;
await kubectl('create', 'namespace', namespace);

const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'prodclass-bench-rss-'));
const bundlePath = path.join(workDir, 'model.bundle');
const products = [...generateSyntheticCatalog({ rows: trainingRows + predictions, seed: 42 })];
const { classifier, report } = await TextClassifier.fit(products.slice(0, trainingRows), {
  text: defaultTextSettings,
  tfidf: defaultTfidfSettings,
  logisticRegression: defaultLogisticRegressionSettings,
  seed: 42,
});
fs.writeFileSync(
  bundlePath,
  encodeModelBundle(classifier, {
    rows: report.rows,
    iterations: report.iterations,
    converged: report.converged,
    loss: report.loss,
    source: `synthetic catalog, ${trainingRows} rows, seed 42`,
  }),
);
const queries = products
  .slice(trainingRows)
  .map(({ designation, description }) => JSON.stringify({ designation, description }));

async function operatorRss(root: string): Promise<number> {
  const port = await freePort();
  const child = spawn(process.execPath, [path.join(root, 'operator/dist/main.js')], {
    env: {
      PATH: process.env.PATH ?? '',
      KUBECONFIG: env.KUBECONFIG,
      DATABASE_URL: env.DATABASE_URL,
      MLFLOW_TRACKING_URI: env.MLFLOW_TRACKING_URI,
      WATCH_NAMESPACE: namespace,
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: String(port),
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    await until('the operator', child, async () =>
      (await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()).includes(
        'prodclass_operator_leader 1',
      ),
    );
    await sleep(settleMs);
    return rssMb(child.pid as number);
  } finally {
    await stop(child);
  }
}

async function modelServerRss(root: string): Promise<{ started: number; served: number }> {
  const port = await freePort();
  const child = spawn(process.execPath, [path.join(root, 'model-server/dist/main.js')], {
    env: {
      PATH: process.env.PATH ?? '',
      HOST: '127.0.0.1',
      PORT: String(port),
      MODEL_URI: bundlePath,
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const predict = (body: string) =>
    fetch(`http://127.0.0.1:${port}/predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
  try {
    await until('the model server', child, async () => (await fetch(`http://127.0.0.1:${port}/health`)).ok);
    await sleep(settleMs);
    const started = rssMb(child.pid as number);
    for (const body of queries) {
      const response = await predict(body);
      if (response.status !== 200) throw new Error(`POST /predict answered ${response.status}`);
      await response.arrayBuffer();
    }
    await sleep(settleMs);
    return { started, served: rssMb(child.pid as number) };
  } finally {
    await stop(child);
  }
}

const samples = new Map(
  checkouts.map(({ label }) => [
    label,
    { operator: [] as number[], started: [] as number[], served: [] as number[] },
  ]),
);
try {
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? checkouts : [...checkouts].reverse();
    for (const { label, root } of order) {
      const sample = samples.get(label) as { operator: number[]; started: number[]; served: number[] };
      sample.operator.push(await operatorRss(root));
      const { started, served } = await modelServerRss(root);
      sample.started.push(started);
      sample.served.push(served);
      process.stderr.write(`round ${round + 1} ${label} done\n`);
    }
  }
} finally {
  await kubectl('delete', 'namespace', namespace, '--wait=false');
  fs.rmSync(workDir, { recursive: true, force: true });
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
};
const mb = (values: number[]) =>
  `${median(values).toFixed(1)} MB (${values.map((v) => v.toFixed(1)).join(', ')})`;
console.log('| checkout | operator, leading | model server, started | model server, after 100 predictions |');
console.log('|---|---|---|---|');
for (const [label, sample] of samples)
  console.log(`| ${label} | ${mb(sample.operator)} | ${mb(sample.started)} | ${mb(sample.served)} |`);
