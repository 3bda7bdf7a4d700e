/**
 * Load test of POST /predict: the prodclass model server against a FastAPI + scikit-learn server
 * built like the seed's (seed_server.py), both trained on the same synthetic catalog with the same
 * model parameters, measured one after the other with autocannon on this machine. Each server
 * under test gets CPU 0 to itself; the load generator and the local stack run on the others
 * (cpu-pinning.ts).
 *
 * Usage: npm run build && npx tsx bench/model-server/run.ts
 * (the seed server runs on uvloop and httptools, which stack/requirements.txt installs into .local/venv)
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { withDatabase } from '@prodclass/catalog/database';
import { migrate } from '@prodclass/catalog/migrate';
import autocannon from 'autocannon';
import pg from 'pg';
import { repoRoot } from '../../stack/paths.js';
import { freePort } from '../../stack/processes.js';
import { status, up } from '../../stack/stack.js';
import { benchModelSettings, fitBenchModel } from './bench-model.js';
import { constantRate } from './constant-rate.js';
import { type CpuPinning, pinOffServerCpu } from './cpu-pinning.js';

const connections = 32;
const warmUpSeconds = 5;
const measureSeconds = 20;
/** Rounds alternate between the two servers, so load from other processes hits both alike. */
const rounds = 3;
const fixedRate = 1_000;

const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'prodclass-bench-model-server-'));

async function waitForHealth(url: string, child: ChildProcess, what: string): Promise<void> {
  const deadline = Date.now() + 300_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${what} exited with code ${child.exitCode}`);
    const response = await fetch(url).catch(() => undefined);
    if (response?.ok) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`${what} never became healthy at ${url}`);
}

function start(
  pinning: CpuPinning,
  server: { command: string; args: string[] },
  env: Record<string, string>,
  logName: string,
): ChildProcess {
  const log = fs.openSync(path.join(workDir, logName), 'w');
  const { command, args } = pinning.serverCommand(server.command, server.args);
  return spawn(command, args, {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', log, log],
  });
}

interface Measurement {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  requests: number;
  failures: number;
}

function percentile(sorted: Float64Array, share: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(share * sorted.length))] as number;
}

async function load(
  url: string,
  bodies: string[],
  seconds: number,
  options: { connections: number; overallRate?: number },
) {
  const latencies: number[] = [];
  const instance = autocannon({
    url,
    connections: options.connections,
    duration: seconds,
    ...(options.overallRate ? { overallRate: options.overallRate } : {}),
    // Each connection sends the bodies in turn. Listed rather than set up per request, autocannon
    // builds every request's bytes once, which takes about a third off its CPU per request (the
    // load generator shares the machine's two cores with the server it measures).
    requests: bodies.map((body) => ({
      method: 'POST',
      path: '/predict',
      headers: { 'content-type': 'application/json' },
      body,
    })),
  });
  instance.on('response', (_client, statusCode, _bytes, ms) => {
    if (statusCode === 200) latencies.push(ms);
  });
  const result = await instance;
  const sorted = Float64Array.from(latencies).sort();
  return {
    requestsPerSecond: result.requests.total / seconds,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    requests: result.requests.total,
    failures: result.errors + result.timeouts + result.non2xx,
  } satisfies Measurement;
}

/** Cumulative counts of prodclass_prediction_request_duration_seconds for /predict, by bucket bound. */
async function durationBuckets(url: string): Promise<Map<string, number>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const pattern =
    /^prodclass_prediction_request_duration_seconds_bucket\{le="([^"]+)",route="\/predict",track="primary"\} (\d+)$/gm;
  return new Map([...text.matchAll(pattern)].map((match) => [match[1] as string, Number(match[2])]));
}

function median(measurements: Measurement[]): Measurement {
  const sorted = [...measurements].sort((a, b) => a.requestsPerSecond - b.requestsPerSecond);
  return sorted[Math.floor(sorted.length / 2)] as Measurement;
}

async function main(): Promise<void> {
  const { env } = await up();
  const { bundlePath, trainCsv, bodies } = await fitBenchModel(workDir);

  const database = `bench_model_server_${randomUUID().replaceAll('-', '').slice(0, 8)}`;
  const admin = new pg.Client({ connectionString: env.DATABASE_URL });
  await admin.connect();
  await admin.query(`create database ${database}`);
  const databaseUrl = new URL(env.DATABASE_URL);
  databaseUrl.pathname = `/${database}`;
  await withDatabase(databaseUrl.toString(), migrate);

  const oursPort = await freePort();
  const seedPort = await freePort();
  const stackGroups = (await status()).flatMap((service) => (service.pid ? [service.pid] : []));
  const pinning = pinOffServerCpu(stackGroups);
  const ours = start(
    pinning,
    { command: process.execPath, args: ['model-server/dist/main.js'] },
    {
      HOST: '127.0.0.1',
      PORT: String(oursPort),
      MODEL_URI: bundlePath,
      DATABASE_URL: databaseUrl.toString(),
    },
    'model-server.log',
  );
  const seedServer = start(
    pinning,
    {
      command: path.join(repoRoot, '.local/venv/bin/uvicorn'),
      args: [
        'seed_server:app',
        '--app-dir',
        'bench/model-server',
        '--port',
        String(seedPort),
        '--workers',
        '1',
        // uvicorn[standard]'s event loop and HTTP parser: the seed's best case.
        '--loop',
        'uvloop',
        '--http',
        'httptools',
        '--no-access-log',
      ],
    },
    { TRAIN_CSV: trainCsv },
    'seed-server.log',
  );
  try {
    const oursUrl = `http://127.0.0.1:${oursPort}`;
    const seedUrl = `http://127.0.0.1:${seedPort}`;
    await waitForHealth(`${oursUrl}/ready`, ours, 'the prodclass model server');
    await waitForHealth(`${seedUrl}/health`, seedServer, 'the seed server');
    const loadAverage = os.loadavg().map((value) => Number(value.toFixed(1)));

    await load(seedUrl, bodies, warmUpSeconds, { connections });
    await load(oursUrl, bodies, warmUpSeconds, { connections });
    const seedRounds: Measurement[] = [];
    const oursRounds: Measurement[] = [];
    for (let round = 0; round < rounds; round++) {
      seedRounds.push(await load(seedUrl, bodies, measureSeconds, { connections }));
      oursRounds.push(await load(oursUrl, bodies, measureSeconds, { connections }));
    }
    const seedResult = median(seedRounds);
    const oursResult = median(oursRounds);
    const bucketsBefore = await durationBuckets(oursUrl);
    const oursAtFixedRate = await constantRate(oursUrl, '/predict', bodies, fixedRate, measureSeconds);
    const bucketsAfter = await durationBuckets(oursUrl);
    const total = (bucketsAfter.get('+Inf') ?? 0) - (bucketsBefore.get('+Inf') ?? 0);
    // The server's own view of the same phase: the share of requests answered within each bucket bound.
    const serverSideShareWithin = Object.fromEntries(
      [...bucketsAfter].map(([le, count]) => [
        le,
        Number(((count - (bucketsBefore.get(le) ?? 0)) / total).toFixed(4)),
      ]),
    );
    const results = {
      machine: `${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.cpus()[0]?.model}`,
      loadAverageAtStart: loadAverage,
      node: process.version,
      cpuPinning: pinning.description,
      settings: {
        ...benchModelSettings,
        connections,
        warmUpSeconds,
        measureSeconds,
        rounds,
        fixedRate,
      },
      seed: seedResult,
      ours: oursResult,
      rounds: {
        seed: seedRounds.map((round) => round.requestsPerSecond),
        ours: oursRounds.map((round) => round.requestsPerSecond),
      },
      oursAtFixedRate: { ...oursAtFixedRate, serverSideShareWithin },
      speedUp: oursResult.requestsPerSecond / seedResult.requestsPerSecond,
    };
    console.log(JSON.stringify(results, null, 2));
  } finally {
    ours.kill('SIGTERM');
    seedServer.kill('SIGTERM');
    if (ours.exitCode === null) await new Promise((resolve) => ours.once('exit', resolve));
    pinning.restore();
    await admin.query(`drop database if exists ${database} with (force)`);
    await admin.end();
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

await main();
