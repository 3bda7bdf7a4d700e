/**
 * Soak of the model server with the inference log on: a steady rate of POST /predict (open loop,
 * constant-rate.ts) for minutes, with PostgreSQL stopped for real for a while in the middle. It
 * reports failed requests, the rows in PostgreSQL against the 2xx answers (every answered
 * prediction logged?), the dropped and spooled counters, the server's resident memory each
 * minute, and the latency in windows of 10 s (the outage's among them). PostgreSQL is a server of
 * the bench's own (test/support/dedicated-postgres.ts), so stopping it leaves the shared stack alone.
 *
 * Usage: npm run build && npx tsx bench/model-server/soak.ts [--minutes 10] [--rate 2000] [--outage-seconds 30]
 * (a short run: --minutes 2 --outage-seconds 15)
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { repoRoot } from '../../stack/paths.js';
import { sampleValue } from '../../test/model-server/support/server.js';
import { startDedicatedPostgres } from '../../test/support/dedicated-postgres.js';
import { fitBenchModel } from './bench-model.js';
import { constantRate } from './constant-rate.js';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    rate: { type: 'string', default: '2000' },
    'outage-seconds': { type: 'string', default: '30' },
  },
});
const minutes = Number(values.minutes);
const rate = Number(values.rate);
const outageSeconds = Number(values['outage-seconds']);
const seconds = minutes * 60;
/** The outage sits in the middle of the run. */
const outageAtSecond = Math.round(seconds / 2 - outageSeconds / 2);
const windowSeconds = 10;
/** At the same rate before the measured run, so that it starts with an optimised server (its answers are logged too). */
const warmUpSeconds = 15;

const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'prodclass-bench-soak-'));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const elapsed = (since: number) => Number(((performance.now() - since) / 1000).toFixed(1));

function residentMegabytes(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Math.round(Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1]) / 1024);
}

interface LogCounters {
  queueDepth: number;
  spoolRows: number;
  spooled: number;
  written: number;
  droppedQueueFull: number;
  droppedWriteFailed: number;
  droppedSpoolFull: number;
}

async function metrics(url: string): Promise<LogCounters> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const read = (sample: string) => sampleValue(text, sample) ?? 0;
  return {
    queueDepth: read('prodclass_inference_log_queue_depth'),
    spoolRows: read('prodclass_inference_log_spool_rows'),
    spooled: read('prodclass_inference_log_spooled_total'),
    written: read('prodclass_inference_log_written_total'),
    droppedQueueFull: read('prodclass_inference_log_dropped_total{reason="queue_full"}'),
    droppedWriteFailed: read('prodclass_inference_log_dropped_total{reason="write_failed"}'),
    droppedSpoolFull: read('prodclass_inference_log_dropped_total{reason="spool_full"}'),
  };
}

async function main(): Promise<void> {
  const { bundlePath, bodies } = await fitBenchModel(workDir);
  const postgres = await startDedicatedPostgres();
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const url = `http://127.0.0.1:${port}`;
  const log = fs.openSync(path.join(workDir, 'model-server.log'), 'w');
  const server = spawn(process.execPath, ['model-server/dist/main.js'], {
    cwd: repoRoot,
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      PORT: String(port),
      MODEL_URI: bundlePath,
      DATABASE_URL: postgres.url,
      INFERENCE_LOG_SPOOL_DIR: path.join(workDir, 'spool'),
    },
    stdio: ['ignore', log, log],
  });
  const serverPid = server.pid as number;
  try {
    for (;;) {
      if (server.exitCode !== null) throw new Error(`the model server exited with code ${server.exitCode}`);
      if ((await fetch(`${url}/ready`).catch(() => undefined))?.ok) break;
      await sleep(500);
    }
    const warmUp = await constantRate(url, '/predict', bodies, rate, warmUpSeconds);
    const loadAtStart = os.loadavg().map((value) => Number(value.toFixed(1)));
    const started = performance.now();
    const samples: { second: number; rssMegabytes: number; queueDepth: number; spoolRows: number }[] = [];
    const outage: { stoppedAt?: number; startedAt?: number } = {};
    let running = true;
    const sampling = (async () => {
      for (let second = 0; running; second += windowSeconds) {
        await sleep(Math.max(0, started + second * 1000 - performance.now()));
        if (!running) break;
        const { queueDepth, spoolRows } = await metrics(url);
        samples.push({ second, rssMegabytes: residentMegabytes(serverPid), queueDepth, spoolRows });
      }
    })();
    const stopping = (async () => {
      await sleep(outageAtSecond * 1000);
      await postgres.stop();
      outage.stoppedAt = elapsed(started);
      await sleep(outageSeconds * 1000);
      await postgres.start();
      outage.startedAt = elapsed(started);
    })();
    const load = await constantRate(url, '/predict', bodies, rate, seconds, 64, () => true, windowSeconds);
    running = false;
    await Promise.all([sampling, stopping]);
    const loadAtEnd = os.loadavg().map((value) => Number(value.toFixed(1)));

    // Everything answered is queued or spooled by now; wait for it to reach PostgreSQL.
    const drainStarted = performance.now();
    let counters = await metrics(url);
    while (counters.queueDepth > 0 || counters.spoolRows > 0) {
      await sleep(500);
      counters = await metrics(url);
    }
    const drainSeconds = elapsed(drainStarted);
    server.kill('SIGTERM');
    await new Promise((resolve) => server.once('exit', resolve));

    const client = new pg.Client({ connectionString: postgres.url });
    await client.connect();
    const { rows } = await client.query<{ logged: number; distinct: number }>(
      'select count(*)::int as logged, count(distinct prediction_id)::int as distinct from inference_log',
    );
    await client.end();
    const answered = warmUp.requests - warmUp.failures + load.requests - load.failures;
    const rss = (second: number) => samples.find((sample) => sample.second >= second)?.rssMegabytes;
    const outageWindows = (load.windows ?? []).filter(
      (window) =>
        window.fromSecond + windowSeconds > outageAtSecond &&
        window.fromSecond < outageAtSecond + outageSeconds + windowSeconds,
    );
    console.log(
      JSON.stringify(
        {
          machine: `${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.cpus()[0]?.model}`,
          node: process.version,
          loadAtStart,
          loadAtEnd,
          settings: { minutes, rate, outageSeconds, outageAtSecond, warmUpSeconds },
          warmUp: { requests: warmUp.requests, failures: warmUp.failures, p99: warmUp.p99 },
          outage,
          client: {
            requests: load.requests,
            failures: load.failures,
            requestsPerSecond: Number(load.requestsPerSecond.toFixed(1)),
            p50: load.p50,
            p99: load.p99,
            max: load.max,
          },
          answered2xxWithWarmUp: answered,
          loggedRows: rows[0]?.logged,
          distinctPredictionIds: rows[0]?.distinct,
          everyAnswerLogged: rows[0]?.logged === answered && rows[0]?.distinct === answered,
          counters,
          drainSecondsAfterLoad: drainSeconds,
          rssMegabytes: { minute1: rss(60), last: samples.at(-1)?.rssMegabytes },
          outageWindows,
          samples,
          windows: load.windows,
        },
        null,
        2,
      ),
    );
  } finally {
    if (server.exitCode === null) server.kill('SIGKILL');
    await postgres.destroy();
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

await main();
