import type pg from 'pg';

/**
 * The candidate's shadow predictions against the answers they mirror (docs/model-server.md#shadow),
 * aggregated in PostgreSQL: a shadow row (shadow_of set) joins the served row whose prediction id it
 * names. Per candidate version and primary version: how many pairs, how many agree, the class-flip
 * matrix (primary code → candidate code, with the diagonal) and each model's time per prediction.
 */

export interface ShadowWindow {
  modelName: string;
  /** Only this candidate version's shadow predictions; every version's when absent. */
  candidateVersion?: string;
  /** Shadow predictions made from `from` (inclusive) to `to` (exclusive). */
  from: Date;
  to: Date;
}

export interface ModelTimes {
  /** Milliseconds per prediction (model_ms), over the pairs whose rows have one. */
  p50Ms: number | null;
  p99Ms: number | null;
  meanMs: number | null;
}

export interface ShadowComparison {
  candidateVersion: string;
  primaryVersion: string;
  pairs: number;
  agreeing: number;
  /** agreeing / pairs. */
  agreement: number;
  primary: ModelTimes;
  candidate: ModelTimes;
  /** Every (primary code, candidate code) pair seen, most frequent first; equal codes included. */
  matrix: { primaryCode: number; candidateCode: number; count: number }[];
}

// A shadow prediction is made after the answer it mirrors, within the shadow queue's delay: the
// served rows are looked for from an hour before the window on (a partitioned log prunes by it).
const pairs = `pairs as (
    select s.model_version as candidate_version, p.model_version as primary_version,
      p.prdtypecode as primary_code, s.prdtypecode as candidate_code,
      p.model_ms as primary_ms, s.model_ms as candidate_ms
    from inference_log s
    join inference_log p on p.prediction_id = s.shadow_of
    where s.shadow_of is not null and s.model_name = $1 and ($2::text is null or s.model_version = $2)
      and s.predicted_at >= $3 and s.predicted_at < $4
      and p.predicted_at >= $3::timestamptz - interval '1 hour' and p.predicted_at < $4
  )`;

// One statement, so the counts, the times and the matrix describe the same rows.
const comparisonSql = `with ${pairs},
  cells as (
    select candidate_version, primary_version, primary_code, candidate_code, count(*)::integer as count
    from pairs group by 1, 2, 3, 4
  )
  select candidate_version, primary_version, count(*)::integer as pairs,
    (count(*) filter (where primary_code = candidate_code))::integer as agreeing,
    percentile_cont(0.5) within group (order by primary_ms) as primary_p50,
    percentile_cont(0.99) within group (order by primary_ms) as primary_p99,
    avg(primary_ms) as primary_mean,
    percentile_cont(0.5) within group (order by candidate_ms) as candidate_p50,
    percentile_cont(0.99) within group (order by candidate_ms) as candidate_p99,
    avg(candidate_ms) as candidate_mean,
    (select json_agg(json_build_array(c.primary_code, c.candidate_code, c.count)
        order by c.count desc, c.primary_code, c.candidate_code)
      from cells c
      where c.candidate_version = pairs.candidate_version and c.primary_version = pairs.primary_version) as matrix
  from pairs group by 1, 2 order by 1, 2`;

interface ComparisonRow {
  candidate_version: string;
  primary_version: string;
  pairs: number;
  agreeing: number;
  primary_p50: number | null;
  primary_p99: number | null;
  primary_mean: number | null;
  candidate_p50: number | null;
  candidate_p99: number | null;
  candidate_mean: number | null;
  matrix: [number, number, number][];
}

export async function shadowComparison(
  client: pg.ClientBase,
  window: ShadowWindow,
): Promise<ShadowComparison[]> {
  const { rows } = await client.query<ComparisonRow>(comparisonSql, [
    window.modelName,
    window.candidateVersion ?? null,
    window.from,
    window.to,
  ]);
  return rows.map((row) => ({
    candidateVersion: row.candidate_version,
    primaryVersion: row.primary_version,
    pairs: row.pairs,
    agreeing: row.agreeing,
    agreement: row.agreeing / row.pairs,
    primary: { p50Ms: row.primary_p50, p99Ms: row.primary_p99, meanMs: row.primary_mean },
    candidate: { p50Ms: row.candidate_p50, p99Ms: row.candidate_p99, meanMs: row.candidate_mean },
    matrix: row.matrix.map(([primaryCode, candidateCode, count]) => ({ primaryCode, candidateCode, count })),
  }));
}
