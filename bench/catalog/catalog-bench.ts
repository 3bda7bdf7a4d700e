/**
 * Times the catalog's hot paths on the local stack's PostgreSQL:
 *   generating 84,916 synthetic rows (in memory, and written as the official CSV files),
 *   loading 100% of them with the audit trail (COPY + history trigger + dataset fingerprint),
 *   exporting that snapshot, and generating 1,000,000 rows to CSV (streamed).
 * Each 84,916-row measurement runs 3 times, each load into a fresh database. On a shared machine
 * wall times depend on the other work running, so the load also reports the CPU time spent by
 * its PostgreSQL backend (from /proc, the stack runs locally) and by this process.
 *
 * Usage: npx tsx bench/catalog/catalog-bench.ts  (brings the local stack up if it is not running)
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadCatalog } from '@prodclass/catalog/load';
import { migrate } from '@prodclass/catalog/migrate';
import { writeOfficialFiles } from '@prodclass/catalog/official-writer';
import { exportSnapshot } from '@prodclass/catalog/snapshot';
import { syntheticSource } from '@prodclass/catalog/source';
import { generateSyntheticCatalog } from '@prodclass/catalog/synthetic/generator';
import pg from 'pg';
import { up } from '../../stack/stack.js';

const rows = 84_916;
const repetitions = 3;
const adminUrl = (await up()).env.DATABASE_URL;
const scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'prodclass-bench-'));

/** CPU seconds (user + system) of a process so far, from /proc/<pid>/stat (in clock ticks of 10 ms). */
async function cpuSecondsOf(pid: number): Promise<number> {
  const fields = (await fs.readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function timed(work: () => Promise<unknown> | unknown): Promise<number> {
  const start = performance.now();
  await work();
  return (performance.now() - start) / 1000;
}

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  await client.query(sql);
  await client.end();
}

function summary(seconds: number[]): { best_s: number; median_s: number } {
  const sorted = [...seconds].sort((a, b) => a - b);
  return {
    best_s: Number(sorted[0]?.toFixed(3)),
    median_s: Number(sorted[Math.floor(sorted.length / 2)]?.toFixed(3)),
  };
}

const generateInMemory: number[] = [];
const generateInMemoryCpu: number[] = [];
const generateToCsv: number[] = [];
const load: number[] = [];
const loadPostgresCpu: number[] = [];
const loadNodeCpu: number[] = [];
const exportTimes: number[] = [];
for (let run = 0; run < repetitions; run++) {
  const cpuBefore = process.cpuUsage();
  generateInMemory.push(await timed(() => [...generateSyntheticCatalog({ rows, seed: 42 })]));
  const generateCpu = process.cpuUsage(cpuBefore);
  generateInMemoryCpu.push((generateCpu.user + generateCpu.system) / 1e6);
  generateToCsv.push(
    await timed(() =>
      writeOfficialFiles(generateSyntheticCatalog({ rows, seed: 42 }), path.join(scratch, 'csv')),
    ),
  );
  const database = `prodclass_bench_${process.pid}_${run}`;
  await admin(`create database ${database}`);
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    await migrate(client);
    const source = syntheticSource(rows, 42);
    const backend = (await client.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]
      ?.pid as number;
    const [postgresBefore, nodeBefore] = [await cpuSecondsOf(backend), process.cpuUsage()];
    load.push(await timed(() => loadCatalog(client, { source, target: { toPercent: 100 }, seed: 42 })));
    const nodeCpu = process.cpuUsage(nodeBefore);
    loadPostgresCpu.push((await cpuSecondsOf(backend)) - postgresBefore);
    loadNodeCpu.push((nodeCpu.user + nodeCpu.system) / 1e6);
    exportTimes.push(
      await timed(() => exportSnapshot(client, 'initial_100.0pct', path.join(scratch, 'export.csv'))),
    );
  } finally {
    await client.end();
    await admin(`drop database if exists ${database} with (force)`);
  }
}
const million = await timed(() =>
  writeOfficialFiles(generateSyntheticCatalog({ rows: 1_000_000, seed: 42 }), path.join(scratch, 'million')),
);
const millionBytes = (await fs.stat(path.join(scratch, 'million', 'X_train_update.csv'))).size;
await fs.rm(scratch, { recursive: true, force: true });

console.log(
  JSON.stringify(
    {
      machine: {
        cpus: os.cpus().length,
        memory_gib: Math.round(os.totalmem() / 2 ** 30),
        node: process.version,
      },
      rows,
      generate_in_memory: summary(generateInMemory),
      generate_in_memory_cpu: summary(generateInMemoryCpu),
      generate_to_official_csv: summary(generateToCsv),
      load_100_percent_with_audit_trail: summary(load),
      load_cpu_postgres_backend: summary(loadPostgresCpu),
      load_cpu_node: summary(loadNodeCpu),
      load_average_1min_at_end: Number(os.loadavg()[0]?.toFixed(1)),
      export_snapshot_100_percent: summary(exportTimes),
      generate_1m_rows_to_official_csv: {
        seconds: Number(million.toFixed(3)),
        x_file_mib: Math.round(millionBytes / 2 ** 20),
      },
    },
    null,
    2,
  ),
);
