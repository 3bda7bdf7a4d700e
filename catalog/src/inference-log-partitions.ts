import type pg from 'pg';
import { advisoryLocks } from './advisory-locks.js';
import { type Progress, silent } from './progress.js';

/**
 * Maintenance of the inference log's daily partitions (catalog/migrations/007, docs/model-server.md,
 * Retention): each UTC day's predictions live in inference_log_YYYYMMDD. `maintainInferenceLog`
 * moves rows that landed in the default partition into their day's own, creates the partitions of
 * the coming days, and drops whole the partitions of days older than the retention, with the
 * hourly served counts of those days (the log from before migration 007, inference_log_before_DAY,
 * goes whole once the last day it holds is past the retention). Labels (prediction_feedback and
 * its hourly counts) are kept: they carry their own copy of what they label.
 */

/** Days ahead of today (UTC) whose partitions exist after maintenance. */
export const partitionsAhead = 7;

/** How long a step waits for a lock a long query holds before the run gives up (it is rerun). */
const lockTimeout = '10s';

const dayMs = 86_400_000;
/** A day's partition, or the log from before migration 007: every day before the one named. */
const partitionName = /^inference_log_(before_)?(\d{4})(\d{2})(\d{2})$/;

export interface MaintenanceOptions {
  retentionDays: number;
  /** The clock; today is its UTC date. */
  now?: Date;
  progress?: Progress;
}

export interface MaintenanceResult {
  /** Partitions created for the coming days. */
  created: string[];
  /** Partitions made of rows that had landed in the default partition, with their row counts. */
  moved: { partition: string; rows: number }[];
  /** Partitions of days older than the retention, dropped. */
  dropped: string[];
  /** The oldest day kept (YYYY-MM-DD). */
  keptFrom: string;
}

/** A UTC day as YYYY-MM-DD. */
type Day = string;

function dayOf(date: Date): Day {
  return date.toISOString().slice(0, 10);
}

function addDays(day: Day, days: number): Day {
  return dayOf(new Date(Date.parse(`${day}T00:00:00Z`) + days * dayMs));
}

function partitionOf(day: Day): string {
  return `inference_log_${day.replaceAll('-', '')}`;
}

function bounds(day: Day): [string, string] {
  return [`${day} 00:00:00+00`, `${addDays(day, 1)} 00:00:00+00`];
}

interface Partition {
  name: string;
  /** Its first day; null for the log from before migration 007, which starts at the beginning. */
  from: Day | null;
  /** The day after its last. */
  to: Day;
}

/** The partitions of the log but the default one, oldest first. */
async function partitionsOfLog(client: pg.ClientBase): Promise<Partition[]> {
  const { rows } = await client.query<{ name: string }>(
    `select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid
    where i.inhparent = 'inference_log'::regclass`,
  );
  const partitions: Partition[] = [];
  for (const { name } of rows) {
    const match = partitionName.exec(name);
    if (!match) continue;
    const day = `${match[2]}-${match[3]}-${match[4]}`;
    partitions.push(match[1] ? { name, from: null, to: day } : { name, from: day, to: addDays(day, 1) });
  }
  return partitions.sort((a, b) => a.to.localeCompare(b.to));
}

async function inTransaction<T>(client: pg.ClientBase, work: () => Promise<T>): Promise<T> {
  await client.query('begin');
  try {
    await client.query(`set local lock_timeout = '${lockTimeout}'`);
    const result = await work();
    await client.query('commit');
    return result;
  } catch (error) {
    await client.query('rollback').catch(() => {});
    if ((error as { code?: string }).code === '55P03')
      throw new Error(
        `inference_log maintenance waited ${lockTimeout} for a lock a running query holds; run it again`,
      );
    throw error;
  }
}

/**
 * Makes `day`'s partition: a table of the log's shape, filled with the rows of that day the default
 * partition holds, then attached. Attaching locks the parent only against other schema changes:
 * writers and readers go on; the default partition is locked meanwhile.
 */
async function createPartition(client: pg.ClientBase, day: Day): Promise<number> {
  const name = partitionOf(day);
  const [from, to] = bounds(day);
  return inTransaction(client, async () => {
    await client.query('lock table inference_log_default in exclusive mode');
    await client.query(`create table ${name} (like inference_log including defaults including constraints)`);
    await client.query(`alter table ${name} add primary key (prediction_id)`);
    const { rowCount } = await client.query(
      `with moved as (
        delete from inference_log_default where predicted_at >= $1 and predicted_at < $2 returning *
      ) insert into ${name} select * from moved`,
      [from, to],
    );
    await client.query(
      `alter table inference_log attach partition ${name} for values from ('${from}') to ('${to}')`,
    );
    return rowCount ?? 0;
  });
}

/** Drops a partition and the served counts of its hours, together. */
async function dropPartition(client: pg.ClientBase, { name, from, to }: Partition): Promise<void> {
  await inTransaction(client, async () => {
    await client.query(`drop table ${name}`);
    await client.query(
      `delete from inference_log_hourly where ($1::timestamptz is null or hour >= $1) and hour < $2`,
      [from && bounds(from)[0], bounds(to)[0]],
    );
  });
}

/**
 * One maintenance run: idempotent, and two runs never race (the second waits on an advisory lock,
 * then finds nothing left to do). Each partition is created or dropped in its own short
 * transaction, so an interrupted run leaves the log consistent and the next one finishes the work.
 */
export async function maintainInferenceLog(
  client: pg.ClientBase,
  { retentionDays, now = new Date(), progress = silent }: MaintenanceOptions,
): Promise<MaintenanceResult> {
  if (!Number.isInteger(retentionDays) || retentionDays < 1)
    throw new Error(`the retention must be a whole number of days >= 1, got ${retentionDays}`);
  const today = dayOf(now);
  const keptFrom = addDays(today, -retentionDays);
  const result: MaintenanceResult = { created: [], moved: [], dropped: [], keptFrom };
  await client.query('select pg_advisory_lock($1, $2)', [...advisoryLocks.inferenceLogMaintenance]);
  try {
    const partitions = await partitionsOfLog(client);
    const days = new Set(partitions.flatMap(({ from }) => (from ? [from] : [])));
    // The days the log from before migration 007 holds have no partition of their own.
    const before007 = partitions.find(({ from }) => from === null)?.to ?? '';
    const { rows: strayDays } = await client.query<{ day: Day }>(
      `select distinct to_char(predicted_at at time zone 'UTC', 'YYYY-MM-DD') as day
      from inference_log_default order by 1`,
    );
    const ahead = Array.from({ length: partitionsAhead + 1 }, (_, index) => addDays(today, index));
    const missing = [...new Set([...strayDays.map(({ day }) => day), ...ahead])]
      .filter((day) => day >= before007 && !days.has(day))
      .sort();
    for (const day of missing) {
      const rows = await createPartition(client, day);
      const partition = partitionOf(day);
      partitions.push({ name: partition, from: day, to: addDays(day, 1) });
      if (rows > 0) result.moved.push({ partition, rows });
      else result.created.push(partition);
      progress('inference log partition created', { partition, moved_rows: rows });
    }
    for (const partition of partitions.sort((a, b) => a.to.localeCompare(b.to))) {
      if (partition.to > keptFrom) continue;
      await dropPartition(client, partition);
      result.dropped.push(partition.name);
      progress('inference log partition dropped', {
        partition: partition.name,
        retention_days: retentionDays,
      });
    }
    return result;
  } finally {
    await client.query('select pg_advisory_unlock($1, $2)', [...advisoryLocks.inferenceLogMaintenance]);
  }
}
