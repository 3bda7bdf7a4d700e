/**
 * What `explain` costs a single prediction: one model server process answering POST /predict one
 * request at a time, with `explain` absent, `explain: 0` and `explain: 5`; when BASE_SERVER names
 * the main.js of a build without the explain code path (e.g. this commit with the route's explain
 * branch taken out: builds from before explanations read bundle format 1 only), that build with
 * no explain (for "nothing when absent"); when PREVIOUS_SERVER names the main.js of another build, that
 * build with no explain and with `explain: 5` (two ways of explaining, each against its own
 * process). Rounds interleave the variants, their order rotating, so load from other processes
 * hits them alike. Per round and variant: the server process's CPU time per request (all its
 * threads, from /proc/PID/task/TID/schedstat, in nanoseconds, read just before and after the
 * requests: the scrapes of /metrics stay out; other processes' load moves it much less than
 * wall time), the mean of its own prodclass_prediction_request_duration_seconds (wall time), and
 * the client's median round trip. Medians over the rounds; ratios are per round, against the
 * same process's "no explain" in the same round, then their median and quartiles. Linux only.
 *
 * Usage: npm run build && [BASE_SERVER=/path/to/base/model-server/dist/main.js] \
 *   [PREVIOUS_SERVER=/path/to/other/model-server/dist/main.js] npx tsx bench/explain/run.ts
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateSyntheticCatalog } from '@prodclass/catalog/synthetic/generator';
import { encodeModelBundle } from '@prodclass/textmodel/bundle/model-bundle';
import { defaultTfidfSettings } from '@prodclass/textmodel/features/tfidf-vectorizer';
import { defaultLogisticRegressionSettings } from '@prodclass/textmodel/model/logistic-regression';
import { TextClassifier } from '@prodclass/textmodel/model/text-classifier';
import { defaultTextSettings } from '@prodclass/textmodel/text/product-text';
import { repoRoot } from '../../stack/paths.js';
import { freePort } from '../../stack/processes.js';

const catalogRows = 12_000;
const trainingRows = 8_000;
const seed = 42;
const rounds = 21;
const requestsPerRound = 1_000;
const warmUpRequests = 3_000;

interface Variant {
  name: string;
  server: string;
  explain: number | undefined;
  /** The variant of the same server process the ratios are taken against. */
  reference: string;
}

const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'prodclass-bench-explain-'));

async function startServer(
  main: string,
  bundle: string,
  name: string,
): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const log = fs.openSync(path.join(workDir, `${name}.log`), 'w');
  const child = spawn(process.execPath, [main], {
    cwd: repoRoot,
    env: { ...process.env, MODEL_URI: bundle, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
    stdio: ['ignore', log, log],
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  try {
    while (!(await fetch(`${url}/ready`).catch(() => undefined))?.ok) {
      if (child.exitCode !== null) throw new Error(`${name} exited with code ${child.exitCode}`);
      if (Date.now() > deadline) throw new Error(`${name} never became ready at ${url} (see ${name}.log)`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } catch (error) {
    child.kill('SIGTERM');
    throw error;
  }
  return { url, child };
}

/** The CPU time every thread of process `pid` has run, in nanoseconds (the first field of schedstat). */
function cpuNanoseconds(pid: number): number {
  let total = 0;
  for (const thread of fs.readdirSync(`/proc/${pid}/task`)) {
    try {
      total += Number(fs.readFileSync(`/proc/${pid}/task/${thread}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // A thread that ended between the listing and the read: its time is gone with it, alike for every variant.
    }
  }
  return total;
}

/** The sum and count of the server's /predict request durations. */
async function serverSeconds(url: string): Promise<{ sum: number; count: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const value = (name: string, labels = '{route="/predict",track="primary"}') => {
    const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `));
    if (!line) throw new Error(`${url}/metrics has no ${name} for /predict`);
    return Number(line.slice(line.lastIndexOf(' ') + 1));
  };
  return {
    sum: value('prodclass_prediction_request_duration_seconds_sum'),
    count: value('prodclass_prediction_request_duration_seconds_count'),
  };
}

/** The value a share `q` of the way through `values` (linear between neighbours); 0.5 is the median. */
function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.min(below + 1, sorted.length - 1);
  return (
    (sorted[below] as number) + ((sorted[above] as number) - (sorted[below] as number)) * (position - below)
  );
}

function median(values: number[]): number {
  return quantile(values, 0.5);
}

function loadAverage(): string {
  return os
    .loadavg()
    .map((load) => load.toFixed(1))
    .join(' ');
}

async function post(url: string, body: string): Promise<void> {
  const response = await fetch(`${url}/predict`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  if (!response.ok)
    throw new Error(`POST ${url}/predict answered ${response.status}: ${await response.text()}`);
  await response.arrayBuffer();
}

async function main(): Promise<void> {
  const catalog = [...generateSyntheticCatalog({ rows: catalogRows, seed })];
  process.stderr.write(`fitting on ${trainingRows} synthetic products…\n`);
  const { classifier, report } = await TextClassifier.fit(catalog.slice(0, trainingRows), {
    text: defaultTextSettings,
    tfidf: defaultTfidfSettings,
    logisticRegression: defaultLogisticRegressionSettings,
    seed,
  });
  const bundle = path.join(workDir, 'model.bundle');
  fs.writeFileSync(
    bundle,
    encodeModelBundle(classifier, {
      rows: report.rows,
      iterations: report.iterations,
      converged: report.converged,
      loss: report.loss,
      source: `synthetic catalog, seed ${seed}`,
    }),
  );
  const products = catalog
    .slice(trainingRows)
    .map(({ designation, description }) => ({ designation, description }));

  const ours = path.join(repoRoot, 'model-server/dist/main.js');
  const variants: Variant[] = [
    { name: 'no explain', server: ours, explain: undefined, reference: 'no explain' },
    { name: 'explain: 0', server: ours, explain: 0, reference: 'no explain' },
    { name: 'explain: 5', server: ours, explain: 5, reference: 'no explain' },
  ];
  const base = process.env.BASE_SERVER;
  if (base) {
    variants.push({
      name: 'base build, no explain',
      server: base,
      explain: undefined,
      reference: 'no explain',
    });
  }
  const previous = process.env.PREVIOUS_SERVER;
  if (previous) {
    const reference = 'previous build, no explain';
    variants.push({ name: reference, server: previous, explain: undefined, reference });
    variants.push({ name: 'previous build, explain: 5', server: previous, explain: 5, reference });
  }
  const servers = new Map<string, { url: string; child: ChildProcess }>();
  const bodiesOf = new Map(
    variants.map(({ name, explain }) => [
      name,
      products.map((product) => JSON.stringify(explain === undefined ? product : { ...product, explain })),
    ]),
  );
  const results = new Map<string, { cpu: number[]; server: number[]; client: number[] }>(
    variants.map((variant) => [variant.name, { cpu: [], server: [], client: [] }]),
  );
  const loadAtStart = loadAverage();
  try {
    for (const server of new Set(variants.map((variant) => variant.server))) {
      const name = path.basename(path.dirname(path.dirname(path.dirname(server))));
      servers.set(server, await startServer(server, bundle, name));
    }
    for (const variant of variants) {
      const { url } = servers.get(variant.server) as { url: string };
      const variantBodies = bodiesOf.get(variant.name) as string[];
      for (let request = 0; request < warmUpRequests; request++) {
        await post(url, variantBodies[request % variantBodies.length] as string);
      }
    }
    let offset = 0;
    for (let round = 0; round < rounds; round++) {
      // Rotate the order each round, so no variant always runs first.
      const order = variants.map((_, index) => variants[(index + round) % variants.length] as Variant);
      for (const variant of order) {
        const { url, child } = servers.get(variant.server) as { url: string; child: ChildProcess };
        const variantBodies = bodiesOf.get(variant.name) as string[];
        const before = await serverSeconds(url);
        const latencies: number[] = [];
        const cpuBefore = cpuNanoseconds(child.pid as number);
        for (let request = 0; request < requestsPerRound; request++) {
          const started = performance.now();
          await post(url, variantBodies[(offset + request) % variantBodies.length] as string);
          latencies.push(performance.now() - started);
        }
        const cpuAfter = cpuNanoseconds(child.pid as number);
        const after = await serverSeconds(url);
        const result = results.get(variant.name) as { cpu: number[]; server: number[]; client: number[] };
        result.cpu.push((cpuAfter - cpuBefore) / requestsPerRound / 1e3);
        result.server.push(((after.sum - before.sum) / (after.count - before.count)) * 1e6);
        result.client.push(median(latencies) * 1e3);
      }
      offset += requestsPerRound;
      process.stderr.write(`round ${round + 1}/${rounds} done\n`);
    }
  } finally {
    for (const { child } of servers.values()) child.kill('SIGTERM');
  }

  const summary = (values: number[], referenceValues: number[]) => {
    const ratios = values.map((value, round) => value / (referenceValues[round] as number));
    const range = `${Math.min(...values).toFixed(0)}–${Math.max(...values).toFixed(0)}`;
    const quartiles = `${quantile(ratios, 0.25).toFixed(3)}–${quantile(ratios, 0.75).toFixed(3)}`;
    return `${median(values).toFixed(1)} (${range}) | ${median(ratios).toFixed(3)}× (${quartiles})`;
  };
  console.log(`load average (1, 5, 15 min) at the start: ${loadAtStart}; at the end: ${loadAverage()}`);
  console.log(
    `${rounds} rounds of ${requestsPerRound} requests per variant; ratios against the same process's no explain`,
  );
  console.log(
    '| variant | server CPU µs/request (range) | vs no explain (quartiles) | server wall µs/request, mean of round (range) | vs no explain (quartiles) | client p50 µs |',
  );
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const variant of variants) {
    const { cpu, server, client } = results.get(variant.name) as {
      cpu: number[];
      server: number[];
      client: number[];
    };
    const reference = results.get(variant.reference) as { cpu: number[]; server: number[] };
    console.log(
      `| ${variant.name} | ${summary(cpu, reference.cpu)} | ${summary(server, reference.server)} | ${median(client).toFixed(0)} |`,
    );
  }
  fs.rmSync(workDir, { recursive: true, force: true });
}

await main();
