/**
 * What the served-count triggers (inference_log_hourly, catalog/migrations/006) add to the inference
 * log's writes: COPY batches of 500 rows, as the model server writes them, into a fresh bench
 * database with the triggers enabled and disabled, alternating, 5 rounds of 200 batches each.
 * Reports the backend's CPU time per 1,000 rows (wall times depend on the machine's other work).
 *
 * Usage: npx tsx bench/quality/log-trigger-cost.ts
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { migrate } from '@prodclass/catalog/migrate';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { inferenceLogColumns, inferenceLogLine } from '../../model-server/src/inference-log-line.js';
import { up } from '../../stack/stack.js';

const rounds = 5;
const batches = 200;
const batchRows = 500;

const adminUrl = (await up()).env.DATABASE_URL;
const database = `prodclass_bench_log_trigger_${process.pid}`;
const url = new URL(adminUrl);
url.pathname = `/${database}`;

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  await client.query(sql);
  await client.end();
}

async function cpuSecondsOf(pid: number): Promise<number> {
  const fields = (await fs.readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

function batch(): string {
  let lines = '';
  for (let row = 0; row < batchRows; row++) {
    lines += inferenceLogLine({
      predictedAt: new Date(),
      predictionId: randomUUID(),
      modelName: 'rakuten_classifier',
      modelVersion: '3',
      prdtypecode: 2583,
      confidence: 0.8,
      textLength: 300,
      tokenCount: 40,
      unknownTokenCount: 2,
      designation: 'Piscine tubulaire ronde 3m avec pompe de filtration',
      description: 'Une piscine hors sol facile à monter, liner renforcé, pompe 2 m³/h incluse. '.repeat(3),
    });
  }
  return lines;
}

await admin(`create database ${database}`);
const client = new pg.Client({ connectionString: url.toString() });
try {
  await client.connect();
  await migrate(client);
  const { rows } = await client.query<{ pid: number }>('select pg_backend_pid() as pid');
  const pid = rows[0]?.pid as number;
  const perThousand: Record<'with' | 'without', number[]> = { with: [], without: [] };
  for (let round = 0; round < rounds; round++) {
    for (const triggers of ['with', 'without'] as const) {
      await client.query(
        `alter table inference_log ${triggers === 'with' ? 'enable' : 'disable'} trigger inference_log_count_inserted`,
      );
      const payloads = Array.from({ length: batches }, batch);
      const before = await cpuSecondsOf(pid);
      for (const payload of payloads) {
        await pipeline(
          Readable.from([payload]),
          client.query(copyFrom(`copy inference_log (${inferenceLogColumns}) from stdin`)),
        );
      }
      perThousand[triggers].push(((await cpuSecondsOf(pid)) - before) / ((batches * batchRows) / 1000));
    }
  }
  process.stdout.write(
    `${JSON.stringify(
      {
        machine: `${os.cpus()[0]?.model} x${os.cpus().length}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, load ${os.loadavg()[0]?.toFixed(1)}`,
        postgres_cpu_ms_per_1000_rows: {
          with_triggers: median(perThousand.with) * 1000,
          without: median(perThousand.without) * 1000,
          runs_with: perThousand.with.map((s) => Number((s * 1000).toFixed(1))),
          runs_without: perThousand.without.map((s) => Number((s * 1000).toFixed(1))),
        },
      },
      null,
      2,
    )}\n`,
  );
} finally {
  await client.end().catch(() => {});
  await admin(`drop database if exists ${database} with (force)`);
}
