/**
 * Times a drift check (the default tests) over 1,000,000 logged predictions, 800,000 in the
 * 30-day reference window and 200,000 in the 7-day current one, against the same statistics
 * computed by pandas/scipy reading the same rows from the same PostgreSQL (pandas_drift.py).
 * The rows are generated and written with COPY into a fresh bench database, then vacuumed (as
 * autovacuum would do). On a shared machine wall times depend on the other work running, so both
 * sides also report CPU seconds: the check's two PostgreSQL backends and this process; pandas'
 * process and its backend.
 *
 * Usage: npx tsx bench/drift/drift-bench.ts  (brings the local stack up if it is not running)
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { checkDrift } from '@prodclass/catalog/drift/check-drift';
import {
  type DriftReport,
  defaultDriftTests,
  defaultSeverityThresholds,
} from '@prodclass/catalog/drift/report';
import { migrate } from '@prodclass/catalog/migrate';
import pg from 'pg';
import { up } from '../../stack/stack.js';
import {
  baselineTraffic,
  copyPredictions,
  generatedPredictions,
} from '../../test/support/generated-predictions.js';

const repetitions = 5;
const day = 86_400_000;
const now = new Date('2026-06-30T00:00:00Z');
const current = { from: new Date(now.getTime() - 7 * day), to: now };
const reference = { kind: 'window' as const, from: new Date(now.getTime() - 37 * day), to: current.from };
const modelName = 'rakuten_classifier';

const adminUrl = (await up()).env.DATABASE_URL;
const database = `prodclass_bench_drift_${process.pid}`;

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  await client.query(sql);
  await client.end();
}

/** CPU seconds (user + system) of a process so far, from /proc/<pid>/stat (in clock ticks of 10 ms). */
async function cpuSecondsOf(pid: number): Promise<number> {
  const fields = (await fs.readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function processCpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

await admin(`create database ${database}`);
const url = new URL(adminUrl);
url.pathname = `/${database}`;
try {
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  await migrate(client);
  const start = performance.now();
  await copyPredictions(client, [
    ...generatedPredictions({
      modelName,
      modelVersion: '3',
      ...reference,
      count: 800_000,
      profile: baselineTraffic,
      seed: 1,
    }),
    ...generatedPredictions({
      modelName,
      modelVersion: '3',
      ...current,
      count: 200_000,
      profile: { ...baselineTraffic, textLengthMean: 440, unknownShare: 0.06 },
      seed: 2,
    }),
  ]);
  const writeSeconds = (performance.now() - start) / 1000;
  await client.query('vacuum analyze inference_log');
  await client.end();

  const request = {
    monitor: 'bench',
    modelName,
    current,
    reference,
    tests: defaultDriftTests,
    thresholds: defaultSeverityThresholds,
    minSamples: 1000,
  };

  /**
   * Times `repetitions` checks (after one that opens the connections and warms the caches) on two
   * connections kept open, so that their backends' CPU time can be read (the check uses no
   * parallel workers, whose CPU time could not be).
   */
  async function timeChecks() {
    const pool = new pg.Pool({
      connectionString: url.toString(),
      max: 2,
      idleTimeoutMillis: 0,
      application_name: 'prodclass-drift-bench',
    });
    const seconds: number[] = [];
    const postgresCpu: number[] = [];
    const nodeCpu: number[] = [];
    let report: DriftReport | undefined;
    let backends: number[] = [];
    const backendsCpu = async () =>
      (await Promise.all(backends.map(cpuSecondsOf))).reduce((sum, cpu) => sum + cpu, 0);
    for (let run = 0; run <= repetitions; run++) {
      const started = performance.now();
      const backendBefore = await backendsCpu();
      const nodeBefore = processCpuSeconds();
      report = await checkDrift(pool, request);
      if (run === 0) {
        const { rows } = await pool.query<{ pid: number }>(
          "select pid from pg_stat_activity where application_name = 'prodclass-drift-bench'",
        );
        backends = rows.map((row) => row.pid);
        continue;
      }
      seconds.push((performance.now() - started) / 1000);
      postgresCpu.push((await backendsCpu()) - backendBefore);
      nodeCpu.push(processCpuSeconds() - nodeBefore);
    }
    await pool.end();
    return { seconds, postgresCpu, nodeCpu, report };
  }
  const checks = await timeChecks();
  const report = checks.report;

  const { stdout } = await promisify(execFile)(
    path.join(import.meta.dirname, '../../.local/venv/bin/python'),
    [
      path.join(import.meta.dirname, 'pandas_drift.py'),
      url.toString(),
      modelName,
      current.from.toISOString(),
      current.to.toISOString(),
      reference.from.toISOString(),
      reference.to.toISOString(),
      String(repetitions),
    ],
    { maxBuffer: 1 << 20 },
  );
  const pandas = JSON.parse(stdout) as {
    runs: { read_s: number; compute_s: number; python_cpu_s: number; postgres_cpu_s: number; rows: number }[];
    statistics: unknown;
  };
  const pandasSeconds = pandas.runs.map((run) => run.read_s + run.compute_s);
  const statistics = Object.fromEntries(
    (report?.tests ?? []).map((test) => [`${test.feature}/${test.test}`, [test.statistic, test.severity]]),
  );
  process.stdout.write(
    `${JSON.stringify(
      {
        machine: `${os.cpus()[0]?.model} x${os.cpus().length}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, load ${os.loadavg()[0]?.toFixed(1)}`,
        rows: { reference: report?.reference.samples, current: report?.current.samples },
        write_1m_rows_s: Number(writeSeconds.toFixed(1)),
        drift_check_s: {
          median: median(checks.seconds),
          runs: checks.seconds.map((s) => Number(s.toFixed(3))),
          postgres_cpu_median: median(checks.postgresCpu),
          node_cpu_median: median(checks.nodeCpu),
        },
        pandas_s: {
          median: median(pandasSeconds),
          read_median: median(pandas.runs.map((run) => run.read_s)),
          compute_median: median(pandas.runs.map((run) => run.compute_s)),
          python_cpu_median: median(pandas.runs.map((run) => run.python_cpu_s)),
          postgres_cpu_median: median(pandas.runs.map((run) => run.postgres_cpu_s)),
          runs: pandasSeconds.map((s) => Number(s.toFixed(3))),
        },
        ratio_wall: Number((median(checks.seconds) / median(pandasSeconds)).toFixed(3)),
        ratio_cpu: Number(
          (
            (median(checks.postgresCpu) + median(checks.nodeCpu)) /
            median(pandas.runs.map((run) => run.python_cpu_s + run.postgres_cpu_s))
          ).toFixed(3),
        ),
        statistics,
        pandas_statistics: pandas.statistics,
      },
      null,
      2,
    )}\n`,
  );
} finally {
  await admin(`drop database if exists ${database} with (force)`);
}
