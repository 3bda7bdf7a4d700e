/**
 * What a candidate model costs the stable answers of a model server at 1,000 requests/s
 * (docs/model-server.md#candidate-model-canary-and-shadow): one server without a candidate, one
 * routing CANARY_WEIGHT=50 of the products to a candidate in process, one mirroring every request
 * to the candidate (SHADOW_PERCENT=100), and the same mirroring server with its shadow thread moved
 * to the other CPU after the warm-up (as a pod's threads may run on other cores of its node; the
 * rest of the server stays on CPU 0), measured in interleaved rounds in one run with the open-loop
 * generator of run.ts (the order rotated each round), each server on CPU 0 (cpu-pinning.ts), the
 * inference log on. For the routing server the percentiles are over the requests the primary
 * answered (their productid's bucket is above the weight), the stable answers; the mirroring server
 * answers every request with the primary. With --baseline DIR (a built checkout with its
 * node_modules, e.g. a worktree of main), DIR's server mirroring every request is one more
 * configuration of every round. Beside the latencies, per round: the 1-minute load average, the
 * server's CPU time per request (utime + stime from /proc over the measured phase), of the whole
 * process and of its main thread (the one answering requests), which other processes' load changes
 * far less than latency, the mirrored predictions dropped, the resident memory at the round's end,
 * and beside the round's p99 the median of its 1-second windows' p99s, which a stall of a few
 * seconds (another process on CPU 0) moves far less. What a configuration adds is the median over
 * rounds of its figure minus the figure of `off` in the same round.
 *
 * Usage: npm run build && npx tsx bench/model-server/traffic.ts [--rounds N] [--baseline DIR]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
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
import { freePort } from '../../stack/processes.js';
import { status, up } from '../../stack/stack.js';
import { type ConstantRateResult, constantRate } from './constant-rate.js';
import { type CpuPinning, pinOffServerCpu } from './cpu-pinning.js';

const catalogRows = 12_000;
const trainingRows = 8_000;
const rate = 1_000;
const warmUpSeconds = 3;
const measureSeconds = 10;
const roundsArgument = process.argv.indexOf('--rounds');
const rounds = roundsArgument > 0 ? Number(process.argv[roundsArgument + 1]) : 5;
const baselineArgument = process.argv.indexOf('--baseline');
const baseline =
  baselineArgument > 0 ? path.resolve(process.argv[baselineArgument + 1] as string) : undefined;
const canaryWeight = 50;

const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'prodclass-bench-traffic-'));

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

interface Configuration {
  name: string;
  /** The checkout whose model server runs. */
  root: string;
  env: Record<string, string>;
  counted: Server['counted'];
  /** The server's shadow thread runs on the other CPUs, not on the server's own. */
  shadowThreadOnOtherCpu?: boolean;
}

/** Linux's number for the SCHED_IDLE scheduling policy, which the model server's shadow thread takes. */
const schedIdle = 5;

/** The threads of process `pid` under SCHED_IDLE (field 41 of their stat, 39 after the command name). */
function idleThreads(pid: number): number[] {
  return fs.readdirSync(`/proc/${pid}/task`).flatMap((threadId) => {
    const stat = fs.readFileSync(`/proc/${pid}/task/${threadId}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[38]) === schedIdle ? [Number(threadId)] : [];
  });
}

/** Moves the mirroring server's shadow thread, started by the warm-up, off the server's CPU. */
function moveShadowThreadOff(pinning: CpuPinning, name: string, pid: number): void {
  const threads = idleThreads(pid);
  if (threads.length !== 1) throw new Error(`${name}: ${threads.length} SCHED_IDLE threads, not 1`);
  pinning.moveThreadOff(threads[0] as number);
}

async function startServer(
  pinning: CpuPinning,
  { name, root, env, counted }: Configuration,
): Promise<Server> {
  const port = await freePort();
  const log = fs.openSync(path.join(workDir, `${name}.log`), 'w');
  const { command, args } = pinning.serverCommand(process.execPath, ['model-server/dist/main.js']);
  const child = spawn(command, args, {
    cwd: root,
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

/** CPU seconds (user + system) a process (or one of its threads, by `/proc` path) has used so far. */
function cpuSeconds(procPath: string): number {
  const stat = fs.readFileSync(`${procPath}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the command name.
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Mirrored predictions the server dropped so far, all reasons. */
async function shadowDropped(url: string): Promise<number> {
  const exposition = await (await fetch(`${url}/metrics`)).text();
  let dropped = 0;
  for (const [, value] of exposition.matchAll(/^prodclass_shadow_dropped_total\{[^}]*\} (\S+)$/gm)) {
    dropped += Number(value);
  }
  return dropped;
}

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};

const loadAverage = () => os.loadavg().map((value) => Number(value.toFixed(1)));

interface Round {
  round: number;
  load1: number;
  result: ConstantRateResult;
  /** The median of the p99s of the round's 1-second windows: a stall of a few seconds moves it far less than the round's p99. */
  windowP99: number;
  cpuMicroseconds: number;
  mainThreadCpuMicroseconds: number;
  shadowDropped: number;
  residentMegabytes: number;
}

/** A process's resident memory now, in MB. */
function residentMegabytes(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Math.round(Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1]) / 1024);
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
    const configurations: Configuration[] = [
      { name: 'off', root: repoRoot, env: common, counted: () => true },
      {
        name: 'routing',
        root: repoRoot,
        env: { ...common, CANDIDATE_MODEL_URI: candidateBundle, CANARY_WEIGHT: String(canaryWeight) },
        counted: stable,
      },
      {
        name: 'mirroring',
        root: repoRoot,
        env: { ...common, CANDIDATE_MODEL_URI: candidateBundle, SHADOW_PERCENT: '100' },
        counted: () => true,
      },
      {
        name: 'mirroring, shadow thread on another CPU',
        root: repoRoot,
        env: { ...common, CANDIDATE_MODEL_URI: candidateBundle, SHADOW_PERCENT: '100' },
        counted: () => true,
        shadowThreadOnOtherCpu: true,
      },
      ...(baseline
        ? [
            {
              name: 'mirroring (baseline)',
              root: baseline,
              env: { ...common, CANDIDATE_MODEL_URI: candidateBundle, SHADOW_PERCENT: '100' },
              counted: () => true,
            },
          ]
        : []),
    ];
    const loadAverageAtStart = loadAverage();
    const measured = new Map<string, Round[]>(configurations.map(({ name }) => [name, []]));
    for (let round = 0; round < rounds; round++) {
      const order = configurations.map(
        (_, index) => configurations[(index + round) % configurations.length] as Configuration,
      );
      for (const configuration of order) {
        const server = await startServer(pinning, configuration);
        servers.push(server);
        await constantRate(server.url, '/predict', bodies, rate, warmUpSeconds);
        const pid = server.child.pid as number;
        if (configuration.shadowThreadOnOtherCpu) moveShadowThreadOff(pinning, configuration.name, pid);
        const processPath = `/proc/${pid}`;
        const mainThread = `/proc/${pid}/task/${pid}`;
        const [cpuBefore, mainBefore, droppedBefore] = [
          cpuSeconds(processPath),
          cpuSeconds(mainThread),
          await shadowDropped(server.url),
        ];
        const load1 = os.loadavg()[0] as number;
        const result = await constantRate(
          server.url,
          '/predict',
          bodies,
          rate,
          measureSeconds,
          64,
          configuration.counted,
          1,
        );
        const perRequest = (seconds: number) => (seconds / (rate * measureSeconds)) * 1e6;
        const measuredRound: Round = {
          round,
          load1: Number(load1.toFixed(1)),
          result,
          windowP99: median((result.windows ?? []).map((window) => window.p99)),
          cpuMicroseconds: perRequest(cpuSeconds(processPath) - cpuBefore),
          mainThreadCpuMicroseconds: perRequest(cpuSeconds(mainThread) - mainBefore),
          shadowDropped: (await shadowDropped(server.url)) - droppedBefore,
          residentMegabytes: residentMegabytes(pid),
        };
        measured.get(configuration.name)?.push(measuredRound);
        console.error(
          JSON.stringify({
            round,
            configuration: configuration.name,
            load1: measuredRound.load1,
            p50Ms: milliseconds(result.p50),
            p99Ms: milliseconds(result.p99),
            windowP99Ms: milliseconds(measuredRound.windowP99),
            cpuMicroseconds: Math.round(measuredRound.cpuMicroseconds),
            mainThreadCpuMicroseconds: Math.round(measuredRound.mainThreadCpuMicroseconds),
            shadowDropped: measuredRound.shadowDropped,
            residentMegabytes: measuredRound.residentMegabytes,
          }),
        );
        server.child.kill('SIGTERM');
        await new Promise((resolve) => server.child.once('exit', resolve));
      }
    }
    const offRounds = measured.get('off') ?? [];
    const summary = Object.fromEntries(
      [...measured].map(([name, rows]) => [
        name,
        {
          p99MedianMs: milliseconds(median(rows.map(({ result }) => result.p99))),
          addedP99MedianMs:
            name === 'off'
              ? undefined
              : milliseconds(
                  median(
                    rows.map(({ result }, round) => result.p99 - (offRounds[round]?.result.p99 as number)),
                  ),
                ),
          p99RoundsMs: rows.map(({ result }) => milliseconds(result.p99)),
          windowP99MedianMs: milliseconds(median(rows.map((row) => row.windowP99))),
          addedWindowP99MedianMs:
            name === 'off'
              ? undefined
              : milliseconds(
                  median(rows.map((row, round) => row.windowP99 - (offRounds[round]?.windowP99 as number))),
                ),
          windowP99RoundsMs: rows.map((row) => milliseconds(row.windowP99)),
          p50RoundsMs: rows.map(({ result }) => milliseconds(result.p50)),
          cpuMicrosecondsPerRequestMedian: Math.round(median(rows.map((row) => row.cpuMicroseconds))),
          mainThreadCpuMicrosecondsPerRequestMedian: Math.round(
            median(rows.map((row) => row.mainThreadCpuMicroseconds)),
          ),
          loadAverageRounds: rows.map(({ load1 }) => load1),
          shadowDropped: rows.reduce((sum, row) => sum + row.shadowDropped, 0),
          residentMegabytesMedian: median(rows.map((row) => row.residentMegabytes)),
          countedRequests: rows[0]?.result.requests,
          failures: rows.reduce((sum, { result }) => sum + result.failures, 0),
        },
      ]),
    );
    console.log(
      JSON.stringify(
        {
          machine: `${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.cpus()[0]?.model}`,
          loadAverageAtStart,
          loadAverageAtEnd: loadAverage(),
          node: process.version,
          cpuPinning: pinning.description,
          baseline: baseline ?? null,
          settings: { rate, warmUpSeconds, measureSeconds, rounds, canaryWeight },
          ...summary,
          routingDecisionNanoseconds: routingDecisionNanoseconds(),
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
