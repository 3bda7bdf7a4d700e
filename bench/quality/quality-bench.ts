/**
 * Label ingest and the live-quality query (docs/quality.md):
 * - ingest: labels through POST /feedback/batch of a model server process (batches of 1,000 from
 *   4 concurrent clients) and through `prodclass feedback load FILE.csv` (a whole process, start-up
 *   included), 3 runs of PREDICTIONS/100 labels each (100,000 by default), each run on predictions
 *   not labeled before; the predictions' ids are UUIDv7s of the time they were made, in the day
 *   partitions `prodclass db maintain` makes;
 * - query: `liveQuality` over PREDICTIONS logged predictions (default 10,000,000, 30 days, two
 *   model versions) of which a tenth are labeled, for the whole 31-day window and the last 7 days,
 *   5 runs after a warm-up, without parallel workers (wall time and the backend's CPU time).
 * The predictions and the labels not sent through the ingest paths are generated in SQL
 * (generate_series) into a fresh bench database, then vacuumed as autovacuum would.
 *
 * With --baseline DIR (a checkout with its node_modules, e.g. a worktree of main), that checkout's
 * model server runs the /feedback/batch runs too, alternating with this one's on the same database.
 *
 * Usage: npm run build && npx tsx bench/quality/quality-bench.ts [--predictions N] [--baseline DIR]
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { maintainInferenceLog } from '@prodclass/catalog/inference-log-partitions';
import { migrate } from '@prodclass/catalog/migrate';
import { liveQuality } from '@prodclass/catalog/quality/live-quality';
import { productClasses } from '@prodclass/textmodel/classes';
import pg from 'pg';
import { up } from '../../stack/stack.js';
import { writeTestBundle } from '../../test/model-server/support/bundle.js';
import { waitUntilReady } from '../../test/model-server/support/server.js';
import { spawnServer } from '../../test/model-server/support/server-process.js';

const predictionsArgument = process.argv.indexOf('--predictions');
const predictions = predictionsArgument > 0 ? Number(process.argv[predictionsArgument + 1]) : 10_000_000;
if (!Number.isSafeInteger(predictions) || predictions < 1_000_000 || predictions % 100_000 !== 0)
  throw new Error('--predictions must be a multiple of 100,000, at least 1,000,000');
const baselineArgument = process.argv.indexOf('--baseline');
const baseline =
  baselineArgument > 0 ? path.resolve(process.argv[baselineArgument + 1] as string) : undefined;
const labelEvery = 10;
const ingestRuns = 3;
/** Per run: 100,000 at the default scale; the six runs (nine with a baseline) label every tenth of the first 60% (90%). */
const ingestLabels = predictions / 100;
const batchSize = 1_000;
const clients = 4;
const queryRuns = 5;
const day = 86_400_000;
const end = new Date(Date.now() - day);
const start = new Date(end.getTime() - 30 * day);
const spanMs = BigInt(end.getTime() - start.getTime());
const codes = productClasses.map((productClass) => productClass.code);
const feedbackToken = 'quality-bench-feedback-token';
const repository = path.resolve(import.meta.dirname, '../..');

const adminUrl = (await up()).env.DATABASE_URL;
const database = `prodclass_bench_quality_${process.pid}`;
const url = new URL(adminUrl);
url.pathname = `/${database}`;

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  await client.query(sql);
  await client.end();
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
const seconds = (from: number) => Number(((performance.now() - from) / 1000).toFixed(3));
const log = (event: string, fields: Record<string, unknown> = {}) =>
  process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), event, ...fields })}\n`);

/** CPU seconds (user + system) of a process so far, from /proc/<pid>/stat (in clock ticks of 10 ms). */
async function cpuSecondsOf(pid: number): Promise<number> {
  const fields = (await fs.readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * Generated prediction n (1-based) is made at start + floor(n * span / predictions) ms, and its id
 * is a UUIDv7 of that millisecond (n in its last 48 bits), as the model server's ids are: a label
 * finds the day partition of its prediction from the id. The labels are built from n without
 * reading the log.
 */
const predictedMs = (n: number) => BigInt(start.getTime()) + (BigInt(n) * spanMs) / BigInt(predictions);
function predictionId(n: number): string {
  const time = predictedMs(n).toString(16).padStart(12, '0');
  return `${time.slice(0, 8)}-${time.slice(8)}-7000-8000-${n.toString(16).padStart(12, '0')}`;
}
const msSql = (n: string) =>
  `(${start.getTime()}::bigint + ${n}::bigint * ${spanMs}::bigint / ${predictions}::bigint)`;
const idSql = (n: string) =>
  `(overlay(lpad(to_hex(${msSql(n)}), 12, '0') placing '-' from 9 for 0) || '-7000-8000-' || lpad(to_hex(${n}), 12, '0'))::uuid`;
const predictedAtSql = (n: string) => `(timestamptz 'epoch' + ${msSql(n)} * interval '1 millisecond')`;

/** Labels for predictions n = first, first + 10, ...: right about 70% of the time. */
function labelsFrom(first: number, count: number): { n: number; code: number }[] {
  return Array.from({ length: count }, (_, index) => ({
    n: first + index * labelEvery,
    code: codes[(first + index * 7) % codes.length] as number,
  }));
}

await admin(`create database ${database}`);
const client = new pg.Client({ connectionString: url.toString() });
try {
  await client.connect();
  await migrate(client);
  // The day partitions of the 30 days (and of today and the week ahead), as `prodclass db maintain`
  // makes them ahead of the traffic, so that the predictions land in their days, not in the default.
  for (let from = start.getTime(); from <= end.getTime() + day; from += 8 * day)
    await maintainInferenceLog(client, { retentionDays: 400, now: new Date(from) });

  // Predictions in time order over 30 days; the first 60% by version 3, the rest by version 4.
  let started = performance.now();
  const chunk = 1_000_000;
  await client.query('select setseed(0.42)');
  for (let first = 1; first <= predictions; first += chunk) {
    const last = Math.min(predictions, first + chunk - 1);
    await client.query(
      `insert into inference_log (prediction_id, predicted_at, model_name, model_version, prdtypecode, confidence,
         text_length, designation, token_count, unknown_token_count)
       select ${idSql('n')}, ${predictedAtSql('n')},
         'rakuten_classifier', case when n <= $1 * 0.6 then '3' else '4' end,
         ($4::integer[])[1 + floor(random() * 27)::integer], 0.3 + 0.7 * random(), 200 + floor(random() * 400),
         'generated product', 30, 1
       from generate_series($2::integer, $3::integer) n`,
      [predictions, first, last, codes],
    );
    log('predictions-written', { rows: last });
  }
  const writePredictionsSeconds = seconds(started);
  started = performance.now();
  await client.query('vacuum analyze inference_log');
  log('vacuumed', { seconds: seconds(started) });

  const { rows: stray } = await client.query<{ rows: number }>(
    'select count(*)::integer as rows from inference_log_default',
  );
  if (stray[0]?.rows !== 0) throw new Error(`${stray[0]?.rows} predictions landed in the default partition`);

  // Ingest through the server: each run labels predictions not labeled before. With --baseline,
  // the model server of that checkout takes its turn after this one's in every round.
  const modelUri = await writeTestBundle('quality-bench', 5);
  const servers = [];
  for (const root of [repository, ...(baseline ? [baseline] : [])]) {
    const server = await spawnServer(
      { MODEL_URI: modelUri, DATABASE_URL: url.toString(), FEEDBACK_TOKEN: feedbackToken, LOG_LEVEL: 'info' },
      root,
    );
    await waitUntilReady(server.url);
    servers.push({ root, server, runs: [] as number[] });
  }
  let nextLabel = 1;
  for (let run = 0; run < ingestRuns; run++) {
    for (const { root, server, runs } of servers) {
      const labels = labelsFrom(nextLabel, ingestLabels);
      nextLabel += ingestLabels * labelEvery;
      const batches = Array.from({ length: ingestLabels / batchSize }, (_, index) =>
        JSON.stringify({
          items: labels.slice(index * batchSize, (index + 1) * batchSize).map((label) => ({
            prediction_id: predictionId(label.n),
            prdtypecode: label.code,
            labeled_by: 'bench',
          })),
        }),
      );
      const runStarted = performance.now();
      let next = 0;
      await Promise.all(
        Array.from({ length: clients }, async () => {
          while (next < batches.length) {
            const body = batches[next++];
            const response = await fetch(`${server.url}/feedback/batch`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', authorization: `Bearer ${feedbackToken}` },
              body,
            });
            if (response.status !== 200)
              throw new Error(`/feedback/batch answered ${response.status}: ${await response.text()}`);
          }
        }),
      );
      runs.push(seconds(runStarted));
      log('api-ingest', { run, server: root, seconds: runs.at(-1), load: os.loadavg()[0] });
    }
  }
  for (const { server } of servers) {
    server.child.kill('SIGTERM');
    await server.exited;
  }

  // Ingest through the CLI: a CSV file of labels per run, the whole process timed.
  const directory = await fs.mkdtemp(path.join(os.tmpdir(), 'prodclass-quality-bench-'));
  const cliRuns: number[] = [];
  for (let run = 0; run < ingestRuns; run++) {
    const labels = labelsFrom(nextLabel, ingestLabels);
    nextLabel += ingestLabels * labelEvery;
    const file = path.join(directory, `labels-${run}.csv`);
    await fs.writeFile(
      file,
      `prediction_id,prdtypecode\n${labels.map((label) => `${predictionId(label.n)},${label.code}`).join('\n')}\n`,
    );
    const runStarted = performance.now();
    await promisify(execFile)(
      process.execPath,
      [path.join(repository, 'trainer-job/dist/cli.js'), 'feedback', 'load', file, '--by', 'bench'],
      { env: { ...process.env, DATABASE_URL: url.toString() } },
    );
    cliRuns.push(seconds(runStarted));
    log('cli-ingest', { run, seconds: cliRuns.at(-1) });
  }
  await fs.rm(directory, { recursive: true, force: true });

  // The other labels, generated: every tenth prediction in all, lags up to 3 days.
  started = performance.now();
  await client.query(
    `insert into prediction_feedback (prediction_id, model_name, model_version, predicted_at, predicted_code,
       prdtypecode, source, labeled_at, labeled_by)
     select l.prediction_id, l.model_name, l.model_version, l.predicted_at, l.prdtypecode,
       case when random() < 0.7 then l.prdtypecode else ($2::integer[])[1 + floor(random() * 27)::integer] end,
       'cli', l.predicted_at + random() * interval '3 days', 'bench'
     from generate_series(1, $1::integer, ${labelEvery}) n join inference_log l
       on l.prediction_id = ${idSql('n')} and l.predicted_at = ${predictedAtSql('n')}
     on conflict (prediction_id) do nothing`,
    [predictions, codes],
  );
  await client.query('vacuum analyze prediction_feedback');
  const writeLabelsSeconds = seconds(started);
  const { rows: counts } = await client.query<{ labels: number }>(
    'select count(*)::integer as labels from prediction_feedback',
  );
  log('labels-written', { labels: counts[0]?.labels, seconds: writeLabelsSeconds });

  // Serial, so that the backend's CPU time is the query's: on a shared machine wall times depend
  // on the others' work.
  await client.query('set max_parallel_workers_per_gather = 0');
  const { rows: backend } = await client.query<{ pid: number }>('select pg_backend_pid() as pid');
  async function timeQuery(from: Date) {
    const runs: number[] = [];
    const cpu: number[] = [];
    let report: Awaited<ReturnType<typeof liveQuality>> | undefined;
    for (let run = 0; run <= queryRuns; run++) {
      const runStarted = performance.now();
      const cpuBefore = await cpuSecondsOf(backend[0]?.pid as number);
      report = await liveQuality(client, { from, to: new Date(end.getTime() + 1) });
      if (run === 0) continue;
      runs.push(seconds(runStarted));
      cpu.push(Number(((await cpuSecondsOf(backend[0]?.pid as number)) - cpuBefore).toFixed(2)));
    }
    return {
      median_s: median(runs),
      runs,
      postgres_cpu_median_s: median(cpu),
      versions: report?.versions.map(({ recall: _recall, ...quality }) => quality),
    };
  }
  const whole = await timeQuery(new Date(start.getTime() - day));
  const lastWeek = await timeQuery(new Date(end.getTime() - 7 * day));

  const perSecond = (runs: number[]) => Math.round(ingestLabels / median(runs));
  process.stdout.write(
    `${JSON.stringify(
      {
        machine: `${os.cpus()[0]?.model} x${os.cpus().length}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, load ${os.loadavg()[0]?.toFixed(1)}`,
        predictions,
        labels: counts[0]?.labels,
        write_predictions_s: writePredictionsSeconds,
        ingest: {
          api_batch_labels_per_s: perSecond(servers[0]?.runs ?? []),
          api_runs_s: servers[0]?.runs,
          ...(baseline
            ? {
                baseline,
                baseline_api_batch_labels_per_s: perSecond(servers[1]?.runs ?? []),
                baseline_api_runs_s: servers[1]?.runs,
              }
            : {}),
          cli_labels_per_s: perSecond(cliRuns),
          cli_runs_s: cliRuns,
        },
        query_whole_31d: whole,
        query_last_7d: lastWeek,
      },
      null,
      2,
    )}\n`,
  );
} finally {
  await client.end().catch(() => {});
  await admin(`drop database if exists ${database} with (force)`);
}
