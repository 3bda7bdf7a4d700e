import type pg from 'pg';
import { copyValue } from '../copy-text.js';

/**
 * Writing labels of served predictions (docs/quality.md): every writer COPYs its labels into a
 * session-local staging table inside a transaction, then `resolveStagedLabels` finds the predictions
 * they name and what is wrong with any of them, and `applyStagedLabels` writes the good ones. The
 * staging tables empty themselves at commit or rollback.
 */

export type FeedbackSource = 'api' | 'cli' | 'catalog';

/** One label as given: for one prediction, or for every logged prediction of one product. */
export interface StagedLabel {
  /** The batch part the label belongs to (a request of the server; 0 for a file): all or nothing. */
  group: number;
  /** Where in its group, for errors: an item index or a file line. */
  position: number;
  target: { predictionId: string } | { productid: number };
  prdtypecode: number;
  /**
   * When the label was made; when absent, the transaction's time, or the prediction's own if that
   * is later (a server's clock ahead of the database's, a prediction committed during a load).
   */
  labeledAt?: Date;
  labeledBy: string;
  source: FeedbackSource;
}

export const stagedLabelColumns =
  'label_group, position, prediction_id, productid, prdtypecode, labeled_at, labeled_by, source';

export const stagingCopyStatement = `copy feedback_staging (${stagedLabelColumns}) from stdin`;

/** One label as a line of `stagingCopyStatement`. */
export function stagedLabelLine(label: StagedLabel): string {
  const predictionId = 'predictionId' in label.target ? label.target.predictionId : '\\N';
  const productid = 'productid' in label.target ? String(label.target.productid) : '\\N';
  const labeledAt = label.labeledAt ? label.labeledAt.toISOString() : '\\N';
  return `${label.group}\t${label.position}\t${predictionId}\t${productid}\t${label.prdtypecode}\t${labeledAt}\t${copyValue(label.labeledBy)}\t${label.source}\n`;
}

/**
 * Creates the session's staging tables unless they exist. Each time, not once per connection: a
 * rolled-back transaction takes the creation back with it.
 */
export async function prepareStaging(client: pg.ClientBase): Promise<void> {
  await client.query(`create temp table if not exists feedback_staging (
      label_group integer not null,
      position integer not null,
      prediction_id uuid,
      productid bigint,
      prdtypecode integer not null,
      labeled_at timestamptz,
      labeled_by text not null,
      source text not null
    ) on commit delete rows`);
  await client.query(`create temp table if not exists feedback_resolved (
      label_group integer not null,
      position integer not null,
      prediction_id uuid not null,
      model_name text not null,
      model_version text not null,
      predicted_at timestamptz not null,
      predicted_code integer not null,
      prdtypecode integer not null,
      source text not null,
      labeled_at timestamptz not null,
      labeled_by text not null
    ) on commit delete rows`);
}

export interface LabelProblem {
  group: number;
  position: number;
  reason: string;
}

const resolvedColumns = `select s.label_group, s.position, l.prediction_id, l.model_name, l.model_version,
  l.predicted_at, l.prdtypecode, s.prdtypecode, s.source, coalesce(s.labeled_at, greatest(now(), l.predicted_at)),
  s.labeled_by`;

/**
 * Finds the logged predictions each staged label names (by prediction id, or every prediction
 * whose request carried the product id) and returns what is wrong with the labels that cannot be
 * written: naming no logged prediction, or dated before a prediction they name.
 *
 * The log is partitioned by day (catalog/migrations/007): a prediction id the model server made is
 * a UUIDv7 carrying the time it was made, so its label is looked up in the partition of that time
 * alone: per label when they are looked up one by one, and in any case only in the days from the
 * batch's earliest to its latest id (the planner cannot count on pruning per label, and hashes
 * the partitions instead when the batch is large). UUIDv7s sort by time, so the batch's lowest and
 * highest id also bound the scans of the partitions' primary keys when the planner merges them
 * (without, each scan starts at its day's first id). Ids not found there (made by another writer,
 * or never logged) are then looked up in every partition.
 */
export async function resolveStagedLabels(client: pg.ClientBase): Promise<LabelProblem[]> {
  // The staged labels' real count, not a guess, decides between looking each up in its partition
  // and hashing the whole log.
  await client.query('analyze feedback_staging');
  // The batch's bounds as parameters, so that the partitions outside them are left out when the
  // insert is planned, not only when it runs (measured: planning 22-34 ms over 40 partitions).
  // Version-7 UUIDs sort by their time (as text too, byte by byte), so the lowest and the highest
  // id carry the earliest and the latest time.
  const { rows: bounds } = await client.query<{
    from: Date | null;
    to: Date | null;
    lowest: string | null;
    highest: string | null;
    productLabels: number;
  }>(`select uuidv7_time(lowest::uuid) - interval '1 hour' as from,
      uuidv7_time(highest::uuid) + interval '1 hour' as to, lowest, highest, "productLabels"
    from (
      select min(id) filter (where substr(id, 15, 1) = '7') as lowest,
        max(id) filter (where substr(id, 15, 1) = '7') as highest,
        count(*) filter (where id is null)::integer as "productLabels"
      from (select prediction_id::text collate "C" as id from feedback_staging) staged
    ) batch`);
  const { from, to, lowest, highest, productLabels } = bounds[0] ?? {};
  if (from && to && lowest && highest)
    await client.query(
      `insert into feedback_resolved ${resolvedColumns}
      from feedback_staging s join inference_log l on l.prediction_id = s.prediction_id and l.shadow_of is null
        and l.predicted_at >= uuidv7_time(s.prediction_id) - interval '1 hour'
        and l.predicted_at < uuidv7_time(s.prediction_id) + interval '1 hour'
        and l.predicted_at >= $1 and l.predicted_at < $2 and l.prediction_id between $3 and $4`,
      [from, to, lowest, highest],
    );
  if (productLabels)
    await client.query(`insert into feedback_resolved ${resolvedColumns}
      from feedback_staging s join inference_log l on l.productid = s.productid and l.shadow_of is null
      where s.prediction_id is null`);
  // A count, not `limit 1`: the tables are never analyzed, and for a limit the planner takes a
  // nested loop over both (measured: 170 ms for 4,000 labels, against 2 ms hashed).
  const { rows: unresolved } = await client.query<{ labels: number }>(`select count(*)::integer as labels
    from feedback_staging s
    where s.prediction_id is not null and not exists (
      select from feedback_resolved r where r.label_group = s.label_group and r.position = s.position)`);
  if ((unresolved[0]?.labels ?? 0) > 0)
    await client.query(`insert into feedback_resolved ${resolvedColumns}
      from feedback_staging s join inference_log l on l.prediction_id = s.prediction_id and l.shadow_of is null
      where not exists (
        select from feedback_resolved r where r.label_group = s.label_group and r.position = s.position)`);
  const { rows } = await client.query<LabelProblem>(
    `select label_group as "group", position, reason from (
      select s.label_group, s.position,
        case when s.prediction_id is not null then 'no logged prediction has the id ' || s.prediction_id
          else 'no logged prediction was asked for productid ' || s.productid end as reason
      from feedback_staging s
      where not exists (
        select from feedback_resolved r where r.label_group = s.label_group and r.position = s.position)
      union all
      select label_group, position,
        'labeled_at ' || to_char(min(labeled_at) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') ||
        ' is before the prediction ' || min(prediction_id::text) || ' was made'
      from feedback_resolved where labeled_at < predicted_at
      group by label_group, position
    ) problems order by label_group, position`,
  );
  return rows;
}

/**
 * Writes the resolved labels of every group but `rejectedGroups` and returns, per group, how many
 * predictions its labels name. A label replaces a prediction's earlier one (kept in
 * prediction_feedback_history by the table's trigger), unless it is the same label again (same
 * code, source and labeler: the first time it was given stands); when one batch labels a
 * prediction twice, the last label wins and the other goes to the history.
 */
export async function applyStagedLabels(
  client: pg.ClientBase,
  rejectedGroups: number[],
): Promise<Map<number, number>> {
  await client.query(
    `insert into prediction_feedback_history (prediction_id, prdtypecode, source, labeled_at, labeled_by)
    select prediction_id, prdtypecode, source, labeled_at, labeled_by from (
      select *, row_number() over (partition by prediction_id order by label_group desc, position desc) as rank
      from feedback_resolved where label_group <> all($1::integer[])
    ) ranked where rank > 1`,
    [rejectedGroups],
  );
  // The data-modifying WITH runs to completion although the final select does not read it.
  const { rows } = await client.query<{ group: number; labeled: number }>(
    `with written as (
      insert into prediction_feedback (prediction_id, model_name, model_version, predicted_at, predicted_code,
        prdtypecode, source, labeled_at, labeled_by)
      select distinct on (prediction_id) prediction_id, model_name, model_version, predicted_at, predicted_code,
        prdtypecode, source, labeled_at, labeled_by
      from feedback_resolved where label_group <> all($1::integer[])
      order by prediction_id, label_group desc, position desc
      on conflict (prediction_id) do update set prdtypecode = excluded.prdtypecode, source = excluded.source,
        labeled_at = excluded.labeled_at, labeled_by = excluded.labeled_by
      where (prediction_feedback.prdtypecode, prediction_feedback.source, prediction_feedback.labeled_by)
        is distinct from (excluded.prdtypecode, excluded.source, excluded.labeled_by)
    )
    select label_group as "group", count(distinct prediction_id)::integer as labeled from feedback_resolved
    where label_group <> all($1::integer[]) group by label_group`,
    [rejectedGroups],
  );
  return new Map(rows.map((row) => [row.group, row.labeled]));
}

/**
 * Inside a data load's transaction, after its rows are in: each product of the load that a
 * logged prediction request named (by productid) labels those predictions with its code, source
 * `catalog`. Returns how many predictions were labeled.
 */
export async function labelFromLoad(
  client: pg.ClientBase,
  loadId: number,
  loadName: string,
): Promise<number> {
  await prepareStaging(client);
  const { rowCount } = await client.query(
    `insert into feedback_staging (label_group, position, productid, prdtypecode, labeled_by, source)
    select 0, row_number() over (order by p.productid), p.productid, p.prdtypecode, $2, 'catalog'
    from products p
    where p.load_id = $1 and exists (select from inference_log l where l.productid = p.productid)`,
    [loadId, `data load ${loadName}`],
  );
  if (!rowCount) return 0;
  const problems = await resolveStagedLabels(client);
  if (problems.length > 0) throw new Error(`catalog labels: ${problems[0]?.reason}`);
  return (await applyStagedLabels(client, [])).get(0) ?? 0;
}
