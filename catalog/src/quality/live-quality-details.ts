import type pg from 'pg';
import type { QualityWindow } from './live-quality.js';

/**
 * What the console's Quality page shows beyond the live-quality report (docs/quality.md): accuracy
 * per version over time, the confusion matrix of one version's labels, and a bounded sample of the
 * texts it got wrong. The first two are sums over the hourly counts (catalog/migrations/006), so no
 * prediction leaves PostgreSQL; the sample returns at most `perConfusion` rows per confusion.
 */

export type SeriesStep = 'hour' | 'day';

export interface AccuracyPoint {
  modelVersion: string;
  /** Start of the hour or UTC day. */
  at: Date;
  served: number;
  labeled: number;
  /** Labeled predictions predicted right / labeled; null without labels. */
  accuracy: number | null;
}

const seriesSql = `with
  served as (
    select model_version, date_bin($4::interval, hour, $1) as at, sum(served)::float8 as served
    from inference_log_hourly
    where hour >= $1 and hour < $2 and model_name = $3
    group by 1, 2
  ),
  labels as (
    select model_version, date_bin($4::interval, hour, $1) as at, sum(labels)::float8 as labeled,
      coalesce(sum(labels) filter (where predicted_code = prdtypecode), 0)::float8 as hits
    from prediction_feedback_hourly
    where hour >= $1 and hour < $2 and model_name = $3
    group by 1, 2
  )
select model_version, at, coalesce(s.served, 0) as served, coalesce(l.labeled, 0) as labeled,
  l.hits / nullif(l.labeled, 0) as accuracy
from served s full join labels l using (model_version, at)
where coalesce(s.served, 0) > 0 or coalesce(l.labeled, 0) > 0
order by model_version, at`;

const hourMs = 3_600_000;
const stepMs: Record<SeriesStep, number> = { hour: hourMs, day: 24 * hourMs };

/** The window's bounds in whole steps (a day step starts at UTC midnight). */
export function alignWindow(window: { from: Date; to: Date }, step: SeriesStep): { from: Date; to: Date } {
  const size = stepMs[step];
  return {
    from: new Date(Math.floor(window.from.getTime() / size) * size),
    to: new Date(Math.ceil(window.to.getTime() / size) * size),
  };
}

/** Live accuracy of each version of `window.modelName` per hour or UTC day that served or labeled. */
export async function accuracySeries(
  client: pg.ClientBase,
  window: QualityWindow & { modelName: string },
  step: SeriesStep,
): Promise<AccuracyPoint[]> {
  const { from, to } = alignWindow(window, step);
  const { rows } = await client.query<{
    model_version: string;
    at: Date;
    served: number;
    labeled: number;
    accuracy: number | null;
  }>(seriesSql, [from, to, window.modelName, `1 ${step}`]);
  return rows.map((row) => ({
    modelVersion: row.model_version,
    at: row.at,
    served: row.served,
    labeled: row.labeled,
    accuracy: row.accuracy,
  }));
}

export interface Confusion {
  predictedCode: number;
  /** The label. */
  prdtypecode: number;
  labels: number;
}

/** Labels of one version's predictions in the window by (predicted code, true code), most first. */
export async function liveConfusions(
  client: pg.ClientBase,
  window: QualityWindow & { modelName: string; modelVersion: string },
): Promise<Confusion[]> {
  const { from, to } = alignWindow(window, 'hour');
  const { rows } = await client.query<{ predicted_code: number; prdtypecode: number; labels: number }>(
    `select predicted_code, prdtypecode, sum(labels)::float8 as labels
     from prediction_feedback_hourly
     where hour >= $1 and hour < $2 and model_name = $3 and model_version = $4
     group by 1, 2 having sum(labels) > 0
     order by 3 desc, 1, 2`,
    [from, to, window.modelName, window.modelVersion],
  );
  return rows.map((row) => ({
    predictedCode: row.predicted_code,
    prdtypecode: row.prdtypecode,
    labels: row.labels,
  }));
}

export interface MislabeledText {
  predictedCode: number;
  prdtypecode: number;
  /** As the inference log keeps them: designation up to 300 characters, description up to 1,000. */
  designation: string;
  description: string | null;
}

/**
 * The logged texts of the newest `perConfusion` labeled predictions of each (predicted, true) pair
 * in the window: at most pairs × perConfusion rows come back, each pair's read from the partial
 * index on wrong labels (migration 009) and looked up in the log by its key (a LIMIT 1 lateral, so
 * the planner cannot turn the lookups into a scan of the whole log).
 */
export async function mislabeledTexts(
  client: pg.ClientBase,
  window: QualityWindow & { modelName: string; modelVersion: string },
  pairs: readonly { predictedCode: number; prdtypecode: number }[],
  perConfusion: number,
): Promise<MislabeledText[]> {
  if (pairs.length === 0) return [];
  const { from, to } = alignWindow(window, 'hour');
  const { rows } = await client.query<{
    predicted_code: number;
    prdtypecode: number;
    designation: string;
    description: string | null;
  }>(
    `select ranked.predicted_code, ranked.prdtypecode, logged.designation, logged.description
     from unnest($5::int[], $6::int[]) as pair(predicted_code, prdtypecode)
     -- The newest wrong labels of each pair: a range of the partial index on wrong labels.
     cross join lateral (
       select label.prediction_id, label.predicted_at, label.predicted_code, label.prdtypecode
       from prediction_feedback label
       where label.model_name = $3 and label.model_version = $4
         and label.predicted_code = pair.predicted_code and label.prdtypecode = pair.prdtypecode
         and label.predicted_code <> label.prdtypecode
         and label.predicted_at >= $1 and label.predicted_at < $2
       order by label.predicted_at desc, label.prediction_id
       limit $7
     ) ranked
     cross join lateral (
       select designation, description from inference_log
       where prediction_id = ranked.prediction_id and predicted_at = ranked.predicted_at
       limit 1
     ) logged`,
    [
      from,
      to,
      window.modelName,
      window.modelVersion,
      pairs.map((pair) => pair.predictedCode),
      pairs.map((pair) => pair.prdtypecode),
      perConfusion,
    ],
  );
  return rows.map((row) => ({
    predictedCode: row.predicted_code,
    prdtypecode: row.prdtypecode,
    designation: row.designation,
    description: row.description,
  }));
}
