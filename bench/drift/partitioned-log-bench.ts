/**
 * The inference log before and after migration 007, side by side in one run: two fresh bench
 * databases with the same 1,000,000 predictions spread over 90 days (UUIDv7 ids carrying their
 * time, as the model server makes them), one migrated up to 006 (one table), the other to the end
 * (a partition per day). On each, alternately, `repetitions` times: a drift check's aggregation
 * (current window 7 days, reference the 30 before) and the lookup of 1,000 labels given by
 * prediction id (resolveStagedLabels, rolled back; the same statements on both, uuidv7_time added to
 * the one-table database), once for predictions spread over the 90 days and once for predictions of
 * the last day. Medians of wall seconds.
 *
 * Usage: npx tsx bench/drift/partitioned-log-bench.ts  (brings the local stack up if it is not running)
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import { prepareStaging, resolveStagedLabels } from '@prodclass/catalog/feedback/feedback-store';
import { maintainInferenceLog, partitionsAhead } from '@prodclass/catalog/inference-log-partitions';
import { migrate, migrationsDirectory } from '@prodclass/catalog/migrate';
import pg from 'pg';
import { aggregateWindows } from '../../catalog/src/drift/window-queries.js';
import { up } from '../../stack/stack.js';

const repetitions = 5;
const rows = 1_000_000;
const logDays = 90;
const dayMs = 86_400_000;
const now = new Date(Math.floor(Date.now() / dayMs) * dayMs);
const current = { from: new Date(now.getTime() - 7 * dayMs), to: now };
const reference = { kind: 'window' as const, from: new Date(now.getTime() - 37 * dayMs), to: current.from };

const adminUrl = (await up()).env.DATABASE_URL;

function log(event: string, fields: Record<string, unknown> = {}): void {
  process.stderr.write(`${JSON.stringify({ event, ...fields })}\n`);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  await client.query(sql);
  await client.end();
}

/** The migrations before 007, recorded as `prodclass db migrate` records them. */
async function migrateUnpartitioned(client: pg.Client): Promise<void> {
  await client.query(`create table schema_migrations (
    name text primary key, checksum text not null, applied_at timestamptz not null default now())`);
  for (const name of (await fs.readdir(migrationsDirectory)).filter((file) => file < '007').sort()) {
    const sql = await fs.readFile(new URL(name, migrationsDirectory), 'utf8');
    await client.query(sql);
    const checksum = createHash('sha256').update(sql).digest('hex');
    await client.query('insert into schema_migrations (name, checksum) values ($1, $2)', [name, checksum]);
  }
}

/** The same rows in both databases (setseed): ids are UUIDv7s of their time, as the server's. */
async function writeLog(client: pg.Client): Promise<void> {
  await client.query('select setseed(0.27)');
  await client.query(
    `insert into inference_log (prediction_id, predicted_at, model_name, model_version, prdtypecode,
      confidence, text_length, designation, token_count, unknown_token_count)
    select (lpad(to_hex((extract(epoch from at) * 1000)::bigint), 12, '0') || '7' ||
        substr(md5(random()::text), 1, 3) || '8' || substr(md5(random()::text), 1, 15))::uuid,
      at, 'rakuten_classifier', '3', (array[10, 40, 1140, 1280, 2583, 2705])[1 + floor(random() * 6)::int],
      random(), 100 + floor(random() * 600)::int, 'a product', 60, floor(random() * 5)::int
    from (select $1::timestamptz - random() * $2::interval as at from generate_series(1, $3::int)) times`,
    [now, `${logDays} days`, rows],
  );
  await client.query('vacuum analyze inference_log');
}

async function database(name: string, partitioned: boolean): Promise<{ url: string; client: pg.Client }> {
  await admin(`create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  if (partitioned) {
    await migrate(client);
    // The partitions of every day of the log, as daily maintenance would have made them.
    for (let days = -logDays; days <= 0; days += partitionsAhead + 1)
      await maintainInferenceLog(client, {
        retentionDays: logDays + 1,
        now: new Date(now.getTime() + days * dayMs),
      });
  } else {
    await migrateUnpartitioned(client);
    // The same lookup statement on both: on one table the time range is only a filter.
    const migration = await fs.readFile(
      new URL('007_inference_log_partitions.sql', migrationsDirectory),
      'utf8',
    );
    const uuidv7Time = /create function uuidv7_time[\s\S]*?\$\$;/.exec(migration)?.[0];
    if (!uuidv7Time) throw new Error('uuidv7_time not found in migration 007');
    await client.query(uuidv7Time);
  }
  const started = performance.now();
  await writeLog(client);
  log('written', { database: name, rows, seconds: (performance.now() - started) / 1000 });
  return { url: url.toString(), client };
}

async function timeDriftWindows(url: string): Promise<number> {
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  try {
    const started = performance.now();
    await aggregateWindows(pool, { modelName: 'rakuten_classifier', modelVersion: null, current, reference });
    return (performance.now() - started) / 1000;
  } finally {
    await pool.end();
  }
}

async function timeLabelLookup(client: pg.Client, ids: string[]): Promise<number> {
  const started = performance.now();
  await client.query('begin');
  try {
    await prepareStaging(client);
    await client.query(
      `insert into feedback_staging (label_group, position, prediction_id, prdtypecode, labeled_by, source)
      select 0, position, id, 10, 'bench', 'cli' from unnest($1::uuid[]) with ordinality as ids(id, position)`,
      [ids],
    );
    const problems = await resolveStagedLabels(client);
    if (problems.length > 0) throw new Error(`labels not resolved: ${problems[0]?.reason}`);
  } finally {
    await client.query('rollback');
  }
  return (performance.now() - started) / 1000;
}

const suffix = process.pid;
const databases = {
  unpartitioned: await database(`prodclass_bench_log_flat_${suffix}`, false),
  partitioned: await database(`prodclass_bench_log_days_${suffix}`, true),
};
try {
  const results = {
    unpartitioned: { drift: [] as number[], labels: [] as number[], recentLabels: [] as number[] },
    partitioned: { drift: [] as number[], labels: [] as number[], recentLabels: [] as number[] },
  };
  for (let run = 0; run <= repetitions; run++) {
    for (const kind of ['unpartitioned', 'partitioned'] as const) {
      const { url, client } = databases[kind];
      const { rows: spread } = await client.query<{ id: string }>(
        'select prediction_id as id from inference_log tablesample bernoulli (0.2) limit 1000',
      );
      const { rows: recent } = await client.query<{ id: string }>(
        `select prediction_id as id from inference_log where predicted_at >= $1 order by random() limit 1000`,
        [new Date(now.getTime() - dayMs)],
      );
      const drift = await timeDriftWindows(url);
      const labels = await timeLabelLookup(
        client,
        spread.map((row) => row.id),
      );
      const recentLabels = await timeLabelLookup(
        client,
        recent.map((row) => row.id),
      );
      // The first round warms the caches.
      if (run === 0) continue;
      results[kind].drift.push(drift);
      results[kind].labels.push(labels);
      results[kind].recentLabels.push(recentLabels);
      log('run', { kind, run, drift, labels, recentLabels });
    }
  }
  console.log(
    JSON.stringify({
      rows,
      days: logDays,
      repetitions,
      drift_windows_seconds: {
        unpartitioned: median(results.unpartitioned.drift),
        partitioned: median(results.partitioned.drift),
      },
      lookup_1000_labels_over_90_days_seconds: {
        unpartitioned: median(results.unpartitioned.labels),
        partitioned: median(results.partitioned.labels),
      },
      lookup_1000_labels_of_the_last_day_seconds: {
        unpartitioned: median(results.unpartitioned.recentLabels),
        partitioned: median(results.partitioned.recentLabels),
      },
    }),
  );
} finally {
  for (const [kind, { client }] of Object.entries(databases)) {
    await client.end();
    await admin(
      `drop database if exists prodclass_bench_log_${kind === 'partitioned' ? 'days' : 'flat'}_${suffix} with (force)`,
    );
  }
}
