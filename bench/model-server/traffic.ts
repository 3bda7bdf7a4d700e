/**
 * What a candidate model costs the stable answers of a model server at 1,000 requests/s
 * (docs/model-server.md#candidate-model-canary-and-shadow): one server without a candidate, one
 * routing CANARY_WEIGHT=50 of the products to a candidate in process, one mirroring every request
 * to the candidate (SHADOW_PERCENT=100), measured in alternating rounds in one run with the open-loop
 * generator of run.ts, each server on CPU 0 (cpu-pinning.ts), the inference log on. For the routing
 * server the percentiles are over the requests the primary answered (their productid's bucket is
 * above the weight), the stable answers; the mirroring server answers every request with the primary.
 * Beside the latencies, the server process's CPU time per request (utime + stime from /proc over the
 * measured phase), which other processes' load on the machine changes far less than latency.
 *
 * Usage: npm run build && npx tsx bench/model-server/traffic.ts
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { withDatabase } from '@prodclass/catalog/database';
import { migrate } from '@prodclass/catalog/migrate';
import { generateSyntheticCatalog } from '@prodclass/catalog/synthetic/generator';
import { encodeModelBundle } from '@prodclass/textmodel/bundle/model-bundle';
import { defaultTfidfSettings } from '@prodclass/textmodel/features/tfidf-vectorizer';
import { defaultLogisticRegressionSettings } from '@prodclass/textmodel/model/logistic-regression';
import { TextClassifier } from '@prodclass/textmodel/model/text-classifier';
import { defaultTextSettings } from '@prodclass/textmodel/text/product-text';
import pg from 'pg';
import { routesToCandidate } from '../../model-server/src/traffic-split.js';
import { repoRoot } from '../../stack/paths.js';
import { status, up } from '../../stack/stack.js';
import { type ConstantRateResult, constantRate } from './constant-rate.js';
import { type CpuPinning, pinOffServerCpu } from './cpu-pinning.js';

const catalogRows = 12_000;
const trainingRows = 8_000;
const rate = 1_000;
const warmUpSeconds = 3;
const measureSeconds = 10;
const rounds = 5;
const canaryWeight = 50;

const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'prodclass-bench-traffic-'));

async function freePort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function fitBundle(products: Parameters<typeof TextClassifier.fit>[0], seed: number, file: string) {
  const { classifier, report } = await TextClassifier.fit(products, {
    text: defaultTextSettings,
    tfidf: defaultTfidfSettings,
    logisticRegression: defaultLogisticRegressionSettings,
    seed,
  });
  fs.writeFileSync(
    file,
    encodeModelBundle(classifier, { ...report, source: `synthetic catalog, seed ${seed}` }),
  );
}

interface Server {
  name: string;
  url: string;
  child: ChildProcess;
  /** Which body indexes count as stable answers. */
  counted: (bodyIndex: number) => boolean;
}

async function startServer(
  pinning: CpuPinning,
  name: string,
  env: Record<string, string>,
  counted: Server['counted'],
): Promise<Server> {
  const port = await freePort();
  const log = fs.openSync(path.join(workDir, `${name}.log`), 'w');
  const { command, args } = pinning.serverCommand(process.execPath, ['model-server/dist/main.js']);
  const child = spawn(command, args, {
    cwd: repoRoot,
    env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), ...env },
    stdio: ['ignore', log, log],
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited with code ${child.exitCode}`);
    const health = await fetch(`${url}/health`)
      .then(
        (response) => response.json() as Promise<{ status: string; candidate: { model: unknown } | null }>,
      )
      .catch(() => undefined);
    if (health?.status === 'healthy' && (health.candidate === null || health.candidate.model)) break;
    if (Date.now() > deadline) throw new Error(`${name} never loaded its models`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return { name, url, child, counted };
}

const milliseconds = (value: number) => Number(value.toFixed(3));

/** The routing decision alone (hash of a productid against the weight), in nanoseconds per call. */
function routingDecisionNanoseconds(): number {
  const calls = 10_000_000;
  let toCandidate = 0;
  const started = performance.now();
  for (let index = 0; index < calls; index++) {
    if (routesToCandidate(1_000_000 + index * 7_919, canaryWeight)) toCandidate++;
  }
  const elapsed = performance.now() - started;
  if (toCandidate === 0) throw new Error('no product routed to the candidate');
  return Number(((elapsed * 1e6) / calls).toFixed(1));
}

/** CPU seconds (user + system) a process has used so far. */
function cpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the command name.
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function main(): Promise<void> {
  const { env } = await up();
  const products = [...generateSyntheticCatalog({ rows: catalogRows, seed: 42 })];
  const primaryBundle = path.join(workDir, 'primary.bundle');
  const candidateBundle = path.join(workDir, 'candidate.bundle');
  await fitBundle(products.slice(0, trainingRows), 42, primaryBundle);
  await fitBundle(products.slice(0, trainingRows), 43, candidateBundle);
  const tests = products.slice(trainingRows);
  const bodies = tests.map(({ designation, description, productid }) =>
    JSON.stringify({ designation, description, productid }),
  );
  const stable = (bodyIndex: number) => !routesToCandidate(tests[bodyIndex]?.productid, canaryWeight);

  const database = `bench_traffic_${randomUUID().replaceAll('-', '').slice(0, 8)}`;
  const admin = new pg.Client({ connectionString: env.DATABASE_URL });
  await admin.connect();
  await admin.query(`create database ${database}`);
  const databaseUrl = new URL(env.DATABASE_URL);
  databaseUrl.pathname = `/${database}`;
  await withDatabase(databaseUrl.toString(), migrate);

  const stackGroups = (await status()).flatMap((service) => (service.pid ? [service.pid] : []));
  const pinning = pinOffServerCpu(stackGroups);
  const common = { MODEL_URI: primaryBundle, DATABASE_URL: databaseUrl.toString() };
  const servers: Server[] = [];
  try {
    // One server at a time holds CPU 0: each is started, measured and stopped in turn, every round.
    const configurations: [string, Record<string, string>, Server['counted']][] = [
      ['off', common, () => true],
      [
        'routing',
        { ...common, CANDIDATE_MODEL_URI: candidateBundle, CANARY_WEIGHT: String(canaryWeight) },
        stable,
      ],
      ['mirroring', { ...common, CANDIDATE_MODEL_URI: candidateBundle, SHADOW_PERCENT: '100' }, () => true],
    ];
    const loadAverage = os.loadavg().map((value) => Number(value.toFixed(1)));
    const results = new Map<string, ConstantRateResult[]>(configurations.map(([name]) => [name, []]));
    const cpuPerRequest = new Map<string, number[]>(configurations.map(([name]) => [name, []]));
    for (let round = 0; round < rounds; round++) {
      for (const [name, serverEnv, counted] of configurations) {
        const server = await startServer(pinning, name, serverEnv, counted);
        servers.push(server);
        await constantRate(server.url, '/predict', bodies, rate, warmUpSeconds);
        const pid = server.child.pid as number;
        const cpuBefore = cpuSeconds(pid);
        results
          .get(name)
          ?.push(await constantRate(server.url, '/predict', bodies, rate, measureSeconds, 64, counted));
        cpuPerRequest.get(name)?.push(((cpuSeconds(pid) - cpuBefore) / (rate * measureSeconds)) * 1e6);
        server.child.kill('SIGTERM');
        await new Promise((resolve) => server.child.once('exit', resolve));
      }
    }
    const summary = Object.fromEntries(
      [...results].map(([name, measured]) => {
        const p99s = measured.map((result) => result.p99).sort((a, b) => a - b);
        const cpu = cpuPerRequest.get(name) ?? [];
        return [
          name,
          {
            cpuMicrosecondsPerRequestMedian: Math.round(
              [...cpu].sort((a, b) => a - b)[Math.floor(cpu.length / 2)] as number,
            ),
            cpuMicrosecondsPerRequestRounds: cpu.map(Math.round),
            p99MedianMs: milliseconds(p99s[Math.floor(p99s.length / 2)] as number),
            p99RoundsMs: measured.map((result) => milliseconds(result.p99)),
            p50RoundsMs: measured.map((result) => milliseconds(result.p50)),
            countedRequests: measured[0]?.requests,
            failures: measured.reduce((sum, result) => sum + result.failures, 0),
          },
        ];
      }),
    );
    const medianOf = (name: string) => (summary[name] as { p99MedianMs: number }).p99MedianMs;
    const cpuOf = (name: string) =>
      (summary[name] as { cpuMicrosecondsPerRequestMedian: number }).cpuMicrosecondsPerRequestMedian;
    console.log(
      JSON.stringify(
        {
          machine: `${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.cpus()[0]?.model}`,
          loadAverageAtStart: loadAverage,
          loadAverageAtEnd: os.loadavg().map((value) => Number(value.toFixed(1))),
          node: process.version,
          cpuPinning: pinning.description,
          settings: { rate, warmUpSeconds, measureSeconds, rounds, canaryWeight },
          ...summary,
          addedP99Ms: {
            routing: milliseconds(medianOf('routing') - medianOf('off')),
            mirroring: milliseconds(medianOf('mirroring') - medianOf('off')),
          },
          routingDecisionNanoseconds: routingDecisionNanoseconds(),
          addedCpuMicrosecondsPerRequest: {
            routing: cpuOf('routing') - cpuOf('off'),
            mirroring: cpuOf('mirroring') - cpuOf('off'),
          },
        },
        null,
        2,
      ),
    );
  } finally {
    for (const server of servers) if (server.child.exitCode === null) server.child.kill('SIGTERM');
    pinning.restore();
    await admin.query(`drop database if exists ${database} with (force)`);
    await admin.end();
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

await main();
