import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  applyStagedLabels,
  prepareStaging,
  resolveStagedLabels,
} from '@prodclass/catalog/feedback/feedback-store';
import { maintainInferenceLog, partitionsAhead } from '@prodclass/catalog/inference-log-partitions';
import { migrationsDirectory } from '@prodclass/catalog/migrate';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { afterAll, expect, test } from 'vitest';
import { aggregateWindows } from '../../catalog/src/drift/window-queries.js';
import { uuidv7 } from '../../model-server/src/uuidv7.js';
import { runCli } from '../support/cli.js';
import { baselineTraffic, copyPredictions, generatedPredictions } from '../support/generated-predictions.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const dayMs = 86_400_000;
const today = new Date(Math.floor(Date.now() / dayMs) * dayMs);
const daysFromToday = (days: number) => new Date(today.getTime() + days * dayMs);
const partitionOf = (date: Date) => `inference_log_${date.toISOString().slice(0, 10).replaceAll('-', '')}`;

const databases: TestDatabase[] = [];
afterAll(() => Promise.all(databases.map((database) => database.drop())));

async function database(options?: { migrated: boolean }): Promise<TestDatabase> {
  const created = await createTestDatabase(options);
  databases.push(created);
  return created;
}

/** Applies the migrations before 007 and records them as `prodclass db migrate` does: a log as it was. */
async function migrateBefore007(client: pg.Client): Promise<void> {
  await client.query(`create table schema_migrations (
    name text primary key, checksum text not null, applied_at timestamptz not null default now())`);
  const names = (await fs.readdir(migrationsDirectory)).filter((name) => name < '007').sort();
  for (const name of names) {
    const sql = await fs.readFile(new URL(name, migrationsDirectory), 'utf8');
    await client.query('begin');
    await client.query(sql);
    await client.query('insert into schema_migrations (name, checksum) values ($1, $2)', [
      name,
      createHash('sha256').update(sql).digest('hex'),
    ]);
    await client.query('commit');
  }
}

async function partitions(client: pg.Client): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>(
    `select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid
    where i.inhparent = 'inference_log'::regclass order by 1`,
  );
  return rows.map((row) => row.name);
}

/** The served counts the triggers kept, and those the log's rows give: they must be equal. */
async function hourlyCounts(client: pg.Client): Promise<{ kept: unknown[]; counted: unknown[] }> {
  const kept = await client.query(
    `select model_name, model_version, hour, served::int from inference_log_hourly where served > 0 order by 1, 2, 3`,
  );
  const counted = await client.query(
    `select model_name, model_version, date_trunc('hour', predicted_at, 'UTC') as hour, count(*)::int as served
    from inference_log group by 1, 2, 3 order by 1, 2, 3`,
  );
  return { kept: kept.rows, counted: counted.rows };
}

const logRow = (predictionId: string, predictedAt: Date, productid: number | null = null) =>
  [predictionId, predictedAt, productid] as const;

async function insertLogRows(client: pg.Client, rows: (readonly [string, Date, number | null])[]) {
  await client.query(
    `insert into inference_log (prediction_id, predicted_at, model_name, model_version, prdtypecode, confidence,
      text_length, designation, productid)
    select id, at, 'toy', '1', 10, 0.5, 5, 'a product', productid
    from unnest($1::uuid[], $2::timestamptz[], $3::bigint[]) as rows(id, at, productid)`,
    [rows.map((row) => row[0]), rows.map((row) => row[1]), rows.map((row) => row[2])],
  );
}

test('migration 007 makes a log of ten days a partition while a model server writer keeps writing: no row lost or duplicated, the hourly counts and labels kept, dropped whole after the retention', async () => {
  const db = await database({ migrated: false });
  const client = await db.connect();
  await migrateBefore007(client);
  // 120,000 rows over the last ten days, and a label on one of them.
  await client.query(`insert into inference_log (prediction_id, predicted_at, model_name, model_version,
      prdtypecode, confidence, text_length, designation)
    select gen_random_uuid(), now() - (i % 10) * interval '1 day' - (i % 1440) * interval '1 minute', 'toy',
      (1 + i % 2)::text, 10 + i % 3, 0.5, i % 700, 'a product'
    from generate_series(1, 120000) i`);
  const labeled = (
    await client.query<{ prediction_id: string }>(
      `select prediction_id from inference_log where predicted_at < now() - interval '8 days' limit 1`,
    )
  ).rows[0]?.prediction_id as string;
  await client.query(
    `insert into prediction_feedback (prediction_id, model_name, model_version, predicted_at, predicted_code,
      prdtypecode, source, labeled_at, labeled_by)
    select prediction_id, model_name, model_version, predicted_at, prdtypecode, 40, 'cli', now(), 'test'
    from inference_log where prediction_id = $1`,
    [labeled],
  );
  const before = await hourlyCounts(client);
  expect(before.kept).toEqual(before.counted);

  // A model server of the build before 007 (servers of this build refuse an older schema), COPYing
  // batches of 100 back to back, with the columns that build wrote, until a while after the migration.
  const pool = new pg.Pool({ connectionString: db.url, max: 2 });
  const counts = { written: 0, dropped: 0, failures: [] as string[] };
  const writtenIds: string[] = [];
  let migrated = false;
  let batchesAfter = 0;
  const writeBatch = async (ids: string[]) => {
    const connection = await pool.connect();
    try {
      const now = new Date().toISOString();
      await pipeline(
        Readable.from(
          ids.map((id) => `${id}\t${now}\ttoy\t2\t10\t0.9\t12\ta new product\t\\N\t\\N\t\\N\t\\N\n`),
        ),
        connection.query(
          copyFrom(
            'copy inference_log (prediction_id, predicted_at, model_name, model_version, prdtypecode, confidence, text_length, designation, description, token_count, unknown_token_count, productid) from stdin',
          ),
        ),
      );
      counts.written += ids.length;
    } catch (error) {
      counts.failures.push((error as Error).message);
    } finally {
      connection.release();
    }
  };
  const writing = (async () => {
    while (!migrated || batchesAfter++ < 5) {
      const ids = Array.from({ length: 100 }, () => uuidv7());
      writtenIds.push(...ids);
      await writeBatch(ids);
    }
  })();
  while (counts.written === 0) await new Promise((resolve) => setImmediate(resolve));

  // A reader holds the migration's lock back until the writer's next COPY queues behind it, so
  // that a write is certainly waiting while the log is converted.
  const reader = await db.connect();
  await reader.query('begin');
  await reader.query('select from inference_log limit 1');
  const migrating = runCli(['db', 'migrate'], { DATABASE_URL: db.url });
  for (;;) {
    const { rows } = await client.query<{ migration: number; copies: number }>(
      `select count(*) filter (where query ilike '%lock table inference_log in access exclusive mode%')::int as migration,
        count(*) filter (where query ilike 'copy inference_log%')::int as copies
      from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`,
    );
    if (rows[0]?.migration === 1 && rows[0].copies === 1) break;
  }
  await reader.query('commit');
  const cli = await migrating;
  migrated = true;
  await writing;
  await pool.end();
  expect(cli.stderr).toBe('');
  expect(cli.code).toBe(0);
  expect(JSON.parse(cli.stdout).applied).toContain('007_inference_log_partitions.sql');

  expect(counts).toEqual({ written: writtenIds.length, dropped: 0, failures: [] });
  const { rows } = await client.query<{ rows: number; ids: number; written: number }>(
    `select count(*)::int as rows, count(distinct prediction_id)::int as ids,
      count(*) filter (where prediction_id = any($1::uuid[]))::int as written
    from inference_log`,
    [writtenIds],
  );
  expect(rows[0]).toEqual({
    rows: 120_000 + writtenIds.length,
    ids: 120_000 + writtenIds.length,
    written: writtenIds.length,
  });
  // The old log is one partition, up to and including today (the writes of today with it).
  const before007 = `inference_log_before_${partitionOf(daysFromToday(1)).slice('inference_log_'.length)}`;
  expect(await partitions(client)).toEqual([
    ...Array.from({ length: partitionsAhead }, (_, index) => partitionOf(daysFromToday(index + 1))),
    before007,
    'inference_log_default',
  ]);
  expect((await client.query(`select count(*)::int as n from ${before007}`)).rows[0].n).toBe(
    120_000 + writtenIds.length,
  );
  const after = await hourlyCounts(client);
  expect(after.kept).toEqual(after.counted);

  // The old prediction's label still finds it, by its id (a random one: looked up in every partition).
  await client.query('begin');
  await prepareStaging(client);
  await client.query(
    `insert into feedback_staging (label_group, position, prediction_id, prdtypecode, labeled_by, source)
    values (0, 1, $1, 50, 'test', 'cli')`,
    [labeled],
  );
  expect(await resolveStagedLabels(client)).toEqual([]);
  expect((await applyStagedLabels(client, [])).get(0)).toBe(1);
  await client.query('commit');
  const label = await client.query('select prdtypecode from prediction_feedback where prediction_id = $1', [
    labeled,
  ]);
  expect(label.rows).toEqual([{ prdtypecode: 50 }]);

  // Maintenance the same day finds every partition there (today's rows are the old partition's).
  expect(await maintainInferenceLog(client, { retentionDays: 90 })).toMatchObject({ created: [], moved: [] });
  // It is dropped whole, with its hourly counts, once its last day (today) is past the retention.
  const kept = await maintainInferenceLog(client, { retentionDays: 90, now: daysFromToday(90) });
  expect(kept.dropped).toEqual([]);
  const expired = await maintainInferenceLog(client, { retentionDays: 90, now: daysFromToday(91) });
  expect(expired.dropped).toEqual([before007]);
  expect((await client.query('select count(*)::int as n from inference_log')).rows[0].n).toBe(0);
  expect((await client.query('select count(*)::int as n from inference_log_hourly')).rows[0].n).toBe(0);
}, 180_000);

test('maintenance creates the coming days, moves rows out of the default partition and drops expired days whole with their hourly counts, keeping labels; idempotent, and two runs never race', async () => {
  const db = await database();
  const client = await db.connect();
  const expired = uuidv7(daysFromToday(-95).getTime() + 3_600_000);
  await insertLogRows(client, [
    logRow(expired, daysFromToday(-95)),
    logRow(uuidv7(), daysFromToday(-91)),
    logRow(uuidv7(), daysFromToday(-89)),
    logRow(uuidv7(), daysFromToday(-3)),
    logRow(uuidv7(), new Date()),
    logRow(uuidv7(), daysFromToday(30)),
  ]);
  await client.query(
    `insert into prediction_feedback (prediction_id, model_name, model_version, predicted_at, predicted_code,
      prdtypecode, source, labeled_at, labeled_by)
    select prediction_id, model_name, model_version, predicted_at, prdtypecode, 40, 'cli', now(), 'test'
    from inference_log where prediction_id = $1`,
    [expired],
  );
  // A fresh database has today's partition and those of the week ahead: the others went to the default.
  expect((await client.query('select count(*)::int as n from inference_log_default')).rows[0].n).toBe(5);

  const other = await db.connect();
  const runs = await Promise.all(
    [client, other].map((each) => maintainInferenceLog(each, { retentionDays: 90 })),
  );
  const done = runs.find((run) => run.moved.length > 0);
  expect(runs.filter((run) => run === done)).toHaveLength(1);
  expect(runs.find((run) => run !== done)).toEqual({
    created: [],
    moved: [],
    dropped: [],
    keptFrom: done?.keptFrom,
  });
  expect(done?.moved.map((move) => move.partition).sort()).toEqual(
    [-95, -91, -89, -3, 30].map((days) => partitionOf(daysFromToday(days))),
  );
  expect(done?.created).toEqual([]);
  expect(done?.dropped.sort()).toEqual([-95, -91].map((days) => partitionOf(daysFromToday(days))));

  const names = await partitions(client);
  for (let days = 0; days <= partitionsAhead; days++)
    expect(names).toContain(partitionOf(daysFromToday(days)));
  expect(names).toContain(partitionOf(daysFromToday(-89)));
  expect(names).not.toContain(partitionOf(daysFromToday(-91)));
  const { rows } = await client.query<{ total: number; stray: number }>(
    `select count(*)::int as total, (select count(*)::int from inference_log_default) as stray from inference_log`,
  );
  expect(rows[0]).toEqual({ total: 4, stray: 0 });
  const counts = await hourlyCounts(client);
  expect(counts.kept).toEqual(counts.counted);
  expect(
    (
      await client.query('select count(*)::int as n from inference_log_hourly where hour < $1', [
        daysFromToday(-90),
      ])
    ).rows[0].n,
  ).toBe(0);
  // The label of a dropped prediction stays, with its hourly label count.
  expect((await client.query('select count(*)::int as n from prediction_feedback')).rows[0].n).toBe(1);
  expect((await client.query('select sum(labels)::int as n from prediction_feedback_hourly')).rows[0].n).toBe(
    1,
  );

  // A day later: the next day's partition is created, the day gone past the retention dropped.
  const tomorrow = await maintainInferenceLog(client, { retentionDays: 90, now: daysFromToday(1) });
  expect(tomorrow).toMatchObject({
    created: [partitionOf(daysFromToday(1 + partitionsAhead))],
    moved: [],
    dropped: [],
  });
  const later = await maintainInferenceLog(client, { retentionDays: 90, now: daysFromToday(2) });
  expect(later.dropped).toEqual([partitionOf(daysFromToday(-89))]);

  const cli = await runCli(['db', 'maintain', '--retention-days', '90'], { DATABASE_URL: db.url });
  expect(cli.code).toBe(0);
  expect(JSON.parse(cli.stdout)).toEqual({
    created: [],
    moved: [],
    dropped: [],
    kept_from: daysFromToday(-90).toISOString().slice(0, 10),
  });
  const refused = await runCli(['db', 'maintain', '--retention-days', '0'], { DATABASE_URL: db.url });
  expect(refused.code).not.toBe(0);
  expect(refused.stderr).toMatch(/--retention-days.*must be an integer >= 1/);
}, 120_000);

/** Plans (EXPLAIN ANALYZE, JSON) of every statement a connection runs, through auto_explain. */
function explainEverything(client: pg.ClientBase, plans: unknown[]): Promise<unknown> {
  client.on('notice', (notice) => {
    const text = notice.message ?? '';
    const start = text.indexOf('{');
    if (start >= 0) plans.push(JSON.parse(text.slice(start)));
  });
  return client.query(`load 'auto_explain';
    set auto_explain.log_min_duration = 0; set auto_explain.log_analyze = true;
    set auto_explain.log_format = json; set auto_explain.log_level = notice;
    set auto_explain.log_nested_statements = true`);
}

interface PlanNode {
  'Relation Name'?: string;
  'Actual Loops'?: number;
  Plans?: PlanNode[];
}

/** The partitions of the log a plan reads, and those of them it ran (a pruned one never runs). */
function scanned(plan: unknown): { planned: Set<string>; ran: Set<string> } {
  const planned = new Set<string>();
  const ran = new Set<string>();
  const visit = (node: PlanNode) => {
    const relation = node['Relation Name'];
    if (relation?.startsWith('inference_log_') && relation !== 'inference_log_hourly') {
      planned.add(relation);
      if ((node['Actual Loops'] ?? 0) > 0) ran.add(relation);
    }
    for (const child of node.Plans ?? []) visit(child);
  };
  visit((plan as { Plan: PlanNode }).Plan);
  return { planned, ran };
}

test('a drift window reads only the partitions of its days, and a label by prediction id only the partition of its day (plans)', async () => {
  const db = await database();
  const client = await db.connect();
  // 20 days of traffic, and one prediction the server made 5 days ago.
  await copyPredictions(
    client,
    generatedPredictions({
      modelName: 'toy',
      modelVersion: '1',
      from: daysFromToday(-20),
      to: daysFromToday(0),
      count: 20_000,
      profile: baselineTraffic,
      seed: 7,
    }),
  );
  const madeAt = new Date(daysFromToday(-5).getTime() + 7 * 3_600_000);
  const predictionId = uuidv7(madeAt.getTime());
  await insertLogRows(client, [logRow(predictionId, madeAt)]);
  // The days before today's went to the default partition: maintenance gives each its own.
  expect((await maintainInferenceLog(client, { retentionDays: 90 })).moved).toHaveLength(20);
  await client.query('analyze inference_log');

  const plans: unknown[] = [];
  const pool = new pg.Pool({ connectionString: db.url, max: 2 });
  pool.on('connect', (connection) => void explainEverything(connection, plans));
  try {
    // Current: the last 2 days; reference: the 3 days before.
    await aggregateWindows(pool, {
      modelName: 'toy',
      modelVersion: null,
      current: { from: daysFromToday(-2), to: daysFromToday(0) },
      reference: { kind: 'window', from: daysFromToday(-5), to: daysFromToday(-2) },
    });
  } finally {
    await pool.end();
  }
  const windowDays = [-5, -4, -3, -2, -1].map((days) => partitionOf(daysFromToday(days)));
  const logPlans = plans.map(scanned).filter((plan) => plan.planned.size > 0);
  expect(logPlans).toHaveLength(2);
  for (const plan of logPlans) expect([...plan.planned].sort()).toEqual(windowDays);

  plans.length = 0;
  await explainEverything(client, plans);
  await client.query('begin');
  await prepareStaging(client);
  await client.query(
    `insert into feedback_staging (label_group, position, prediction_id, prdtypecode, labeled_by, source)
    values (0, 1, $1, 50, 'test', 'cli')`,
    [predictionId],
  );
  expect(await resolveStagedLabels(client)).toEqual([]);
  await client.query('rollback');
  const lookups = plans.map(scanned).filter((plan) => plan.planned.size > 0);
  // One statement looked the label up: in the one partition of the prediction's day.
  expect(lookups).toHaveLength(1);
  expect([...(lookups[0]?.ran ?? [])]).toEqual([partitionOf(daysFromToday(-5))]);
});
