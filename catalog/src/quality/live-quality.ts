import type pg from 'pg';

/**
 * Live quality of served predictions against their labels (docs/quality.md), per registered model
 * and model version, over the predictions made in a window. Aggregated in PostgreSQL by one
 * statement: the served counts come from the inference log's index, the labeled side from
 * prediction_feedback alone (which carries each labeled prediction's model, version and predicted
 * code); a row per version comes back, never a prediction.
 */

export interface QualityWindow {
  from: Date;
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
  /** F1 per class weighted by the class's labeled count (scikit-learn's average='weighted'). */
  weightedF1: number | null;
  /** prdtypecode → share of its labeled predictions predicted right, for each labeled class. */
  recall: Record<string, number>;
  /** Median of labeled_at − predicted_at over the labeled predictions, in seconds. */
  labelLagP50Seconds: number | null;
}

export interface QualityReport {
  from: Date;
  to: Date;
  versions: LiveQuality[];
}

const qualitySql = `with
  served as (
    select model_name, model_version, count(*)::float8 as served
    from inference_log
    where predicted_at >= $1 and predicted_at < $2 and ($3::text is null or model_name = $3)
    group by 1, 2
  ),
  labeled as (
    select model_name, model_version, predicted_code, prdtypecode, labeled_at - predicted_at as lag
    from prediction_feedback
    where predicted_at >= $1 and predicted_at < $2 and ($3::text is null or model_name = $3)
  ),
  pairs as (
    select model_name, model_version, predicted_code, prdtypecode, count(*)::float8 as n
    from labeled group by 1, 2, 3, 4
  ),
  lags as (
    select model_name, model_version,
      percentile_cont(0.5) within group (order by extract(epoch from lag)) as lag_p50
    from labeled group by 1, 2
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
select s.model_name, s.model_version, s.served, coalesce(v.labeled, 0) as labeled,
  v.hits / nullif(v.labeled, 0) as accuracy, v.weighted_f1_sum / nullif(v.labeled, 0) as weighted_f1,
  coalesce(v.recall, '{}') as recall, l.lag_p50
from served s
left join versions v using (model_name, model_version)
left join lags l using (model_name, model_version)
order by s.model_name, s.model_version`;

interface QualityRow {
  model_name: string;
  model_version: string;
  served: number;
  labeled: number;
  accuracy: number | null;
  weighted_f1: number | null;
  recall: Record<string, number>;
  lag_p50: number | null;
}

/** The live quality of each model version that served predictions in the window. */
export async function liveQuality(client: pg.ClientBase, window: QualityWindow): Promise<QualityReport> {
  const { rows } = await client.query<QualityRow>(qualitySql, [
    window.from,
    window.to,
    window.modelName ?? null,
  ]);
  return {
    from: window.from,
    to: window.to,
    versions: rows.map((row) => ({
      modelName: row.model_name,
      modelVersion: row.model_version,
      served: row.served,
      labeled: row.labeled,
      coverage: row.labeled / row.served,
      accuracy: row.accuracy,
      weightedF1: row.weighted_f1,
      recall: row.recall,
      labelLagP50Seconds: row.lag_p50,
    })),
  };
}
