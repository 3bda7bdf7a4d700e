import type pg from 'pg';

/**
 * Live quality of served predictions against their labels (docs/quality.md), per registered model
 * and model version, over the predictions made in a window of whole UTC hours. Aggregated in
 * PostgreSQL by one statement over the hourly counts that triggers keep (catalog/migrations/006
 * and 008): predictions served and their confidences (inference_log_hourly), labels per predicted and true code
 * (prediction_feedback_hourly) and per lag bucket (prediction_feedback_lag_hourly); a row per
 * version comes back, never a prediction.
 */

export interface QualityWindow {
  /** Rounded down to a whole UTC hour. */
  from: Date;
  /** Rounded up to a whole UTC hour. */
  to: Date;
  /** Only this registered model's predictions; every model's when absent. */
  modelName?: string;
}

export interface LiveQuality {
  modelName: string;
  modelVersion: string;
  /** Predictions logged in the window. */
  served: number;
  /** Of them, those with a label. */
  labeled: number;
  /** labeled / served. */
  coverage: number;
  /** Share of labeled predictions whose predicted code is the label; null without labels. */
  accuracy: number | null;
  /**
   * Accuracy estimated without labels: the mean served confidence of all the window's
   * predictions, each the calibrated probability of its predicted code (docs/quality.md).
   */
  estimatedAccuracy: number;
  /** F1 per class weighted by the class's labeled count (scikit-learn's average='weighted'). */
  weightedF1: number | null;
  /** prdtypecode → share of its labeled predictions predicted right, for each labeled class. */
  recall: Record<string, number>;
  /**
   * Median of labeled_at − predicted_at over the labeled predictions, in seconds: the lower median
   * (the smallest lag with at least half the labels at or below it), to within 0.5%.
   */
  labelLagP50Seconds: number | null;
}

export interface QualityReport {
  /** The window as rounded to whole hours. */
  from: Date;
  to: Date;
  versions: LiveQuality[];
}

/**
 * Label lags are counted in buckets 1% wide: bucket b holds lags whose ln(1 + seconds) is in
 * [b, b + 1) / 100 (prediction_feedback_lag_bucket in catalog/migrations/006_prediction_feedback.sql).
 */
export const lagBucketsPerUnit = 100;

const qualitySql = `with
  served as (
    select model_name, model_version, sum(served)::float8 as served,
      sum(confidence_sum) / nullif(sum(served), 0) as estimated_accuracy
    from inference_log_hourly
    where hour >= $1 and hour < $2 and ($3::text is null or model_name = $3)
    group by 1, 2
  ),
  pairs as (
    select model_name, model_version, predicted_code, prdtypecode, sum(labels)::float8 as n
    from prediction_feedback_hourly
    where hour >= $1 and hour < $2 and ($3::text is null or model_name = $3)
    group by 1, 2, 3, 4 having sum(labels) > 0
  ),
  lag_counts as (
    select model_name, model_version, lag_bucket, sum(labels)::float8 as n
    from prediction_feedback_lag_hourly
    where hour >= $1 and hour < $2 and ($3::text is null or model_name = $3)
    group by 1, 2, 3 having sum(labels) > 0
  ),
  lag_cdf as (
    select model_name, model_version, lag_bucket,
      sum(n) over (partition by model_name, model_version order by lag_bucket) as at_or_below,
      sum(n) over (partition by model_name, model_version) as total
    from lag_counts
  ),
  lags as (
    select model_name, model_version, exp((min(lag_bucket) + 0.5) / ${lagBucketsPerUnit})::float8 - 1 as lag_p50
    from lag_cdf where 2 * at_or_below >= total group by 1, 2
  ),
  classes as (
    select model_name, model_version, code, sum(support) as support, sum(predicted) as predicted,
      sum(hits) as hits
    from (
      select model_name, model_version, prdtypecode as code, n as support, 0::float8 as predicted,
        case when predicted_code = prdtypecode then n else 0 end as hits
      from pairs
      union all
      select model_name, model_version, predicted_code, 0, n, 0 from pairs
    ) sides
    group by 1, 2, 3
  ),
  versions as (
    select model_name, model_version, sum(support) as labeled, sum(hits) as hits,
      sum(support * 2 * hits / (support + predicted)) as weighted_f1_sum,
      jsonb_object_agg(code, hits / support) filter (where support > 0) as recall
    from classes group by 1, 2
  )
select s.model_name, s.model_version, s.served, s.estimated_accuracy, coalesce(v.labeled, 0) as labeled,
  v.hits / nullif(v.labeled, 0) as accuracy, v.weighted_f1_sum / nullif(v.labeled, 0) as weighted_f1,
  coalesce(v.recall, '{}') as recall, l.lag_p50
from served s
left join versions v using (model_name, model_version)
left join lags l using (model_name, model_version)
where s.served > 0
order by s.model_name, s.model_version`;

interface QualityRow {
  model_name: string;
  model_version: string;
  served: number;
  estimated_accuracy: number;
  labeled: number;
  accuracy: number | null;
  weighted_f1: number | null;
  recall: Record<string, number>;
  lag_p50: number | null;
}

const hourMs = 3_600_000;

/** The live quality of each model version that served predictions in the window. */
export async function liveQuality(client: pg.ClientBase, window: QualityWindow): Promise<QualityReport> {
  const from = new Date(Math.floor(window.from.getTime() / hourMs) * hourMs);
  const to = new Date(Math.ceil(window.to.getTime() / hourMs) * hourMs);
  const { rows } = await client.query<QualityRow>(qualitySql, [from, to, window.modelName ?? null]);
  return {
    from,
    to,
    versions: rows.map((row) => ({
      modelName: row.model_name,
      modelVersion: row.model_version,
      served: row.served,
      labeled: row.labeled,
      coverage: row.labeled / row.served,
      accuracy: row.accuracy,
      estimatedAccuracy: row.estimated_accuracy,
      weightedF1: row.weighted_f1,
      recall: row.recall,
      labelLagP50Seconds: row.lag_p50,
    })),
  };
}
