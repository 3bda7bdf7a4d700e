import type pg from 'pg';

/**
 * SQL that aggregates the two windows of a drift check in PostgreSQL: counts per class, per bin
 * and per distinct value come back, never rows. The windows are read from the index
 * inference_log_drift alone (core/migrations/004_drift.sql).
 */

/** Where the reference rows come from: a time window of the log, or the catalog as of a data load. */
export type ReferenceSource =
  | { kind: 'window'; from: Date; to: Date }
  | { kind: 'trainingData'; historyWatermark: string };

export interface WindowSelection {
  modelName: string;
  modelVersion: string | null;
  current: { from: Date; to: Date };
  reference: ReferenceSource;
}

/** A numeric column the drift tests read; the catalog has only the text length. */
export type NumericFeature = 'text_length' | 'confidence';

const logColumns = 'text_length, prdtypecode, confidence, token_count, unknown_token_count';

function logWindow(isCurrent: boolean, from: string, to: string): string {
  return `select ${isCurrent} as is_current, ${logColumns} from inference_log
    where model_name = $1 and ($2::text is null or model_version = $2)
      and predicted_at >= ${from} and predicted_at < ${to}`;
}

// The catalog as of a load, as core/src/catalog/snapshot.ts rebuilds it: each product's latest
// history entry up to the load's watermark, unless that is a DELETE. Lengths in characters, like
// the server's (which counts UTF-16 units: the two differ only for characters beyond the BMP).
const trainingRows = `select false as is_current,
    length(product.designation) + coalesce(length(product.description), 0) as text_length,
    product.prdtypecode, null::real as confidence, null::integer as token_count,
    null::integer as unknown_token_count
  from (
    select distinct on (productid) operation, new_row from products_history
    where id <= $5 order by productid, id desc
  ) latest, jsonb_populate_record(null::products, latest.new_row) product
  where latest.operation <> 'DELETE'`;

function samples(selection: WindowSelection): { sql: string; parameters: unknown[] } {
  const { modelName, modelVersion, current, reference } = selection;
  const parameters: unknown[] = [modelName, modelVersion, current.from, current.to];
  const currentRows = logWindow(true, '$3', '$4');
  if (reference.kind === 'window') {
    parameters.push(reference.from, reference.to);
    return { sql: `${currentRows} union all ${logWindow(false, '$5', '$6')}`, parameters };
  }
  parameters.push(reference.historyWatermark);
  return { sql: `${currentRows} union all ${trainingRows}`, parameters };
}

export interface ClassCounts {
  /** prdtypecode → rows of each window. */
  reference: Map<number, number>;
  current: Map<number, number>;
  /** Terms looked up and terms unknown, over the rows whose server counted them. */
  tokens: { reference: TokenTotals; current: TokenTotals };
}

export interface TokenTotals {
  counted: number;
  tokens: number;
  unknown: number;
}

export async function classCounts(pool: pg.Pool, selection: WindowSelection): Promise<ClassCounts> {
  const { sql, parameters } = samples(selection);
  const { rows } = await pool.query<{
    is_current: boolean;
    prdtypecode: number;
    rows: string;
    counted: string;
    tokens: string | null;
    unknown: string | null;
  }>(
    `with samples as (${sql})
    select is_current, prdtypecode, count(*) as rows, count(token_count) as counted,
      sum(token_count) as tokens, sum(unknown_token_count) as unknown
    from samples group by is_current, prdtypecode`,
    parameters,
  );
  const counts: ClassCounts = {
    reference: new Map(),
    current: new Map(),
    tokens: {
      reference: { counted: 0, tokens: 0, unknown: 0 },
      current: { counted: 0, tokens: 0, unknown: 0 },
    },
  };
  for (const row of rows) {
    const window = row.is_current ? 'current' : 'reference';
    counts[window].set(row.prdtypecode, Number(row.rows));
    const totals = counts.tokens[window];
    totals.counted += Number(row.counted);
    totals.tokens += Number(row.tokens ?? 0);
    totals.unknown += Number(row.unknown ?? 0);
  }
  return counts;
}

export interface NumericDistribution {
  /** Largest distance between the two windows' empirical CDFs over all distinct values. */
  ksStatistic: number;
  referenceSamples: number;
  currentSamples: number;
  /** The reference's distinct deciles; bin i is [edges[i-1], edges[i]), open at both ends. */
  edges: number[];
  reference: number[];
  current: number[];
}

const deciles = [1, 2, 3, 4, 5, 6, 7, 8, 9]
  .map((k) => `min(value) filter (where 10 * reference_below >= ${k} * totals.reference)`)
  .join(', ');

/**
 * One statement per feature: counts per distinct value of each window; their running sums give
 * the KS statistic and the reference's deciles (inverted-CDF quantiles: the smallest value with
 * at least ⌈k·N/10⌉ reference rows at or below it, as percentile_disc has them, in exact
 * arithmetic); width_bucket then counts both windows in the decile bins.
 */
export async function numericDistribution(
  pool: pg.Pool,
  selection: WindowSelection,
  feature: NumericFeature,
): Promise<NumericDistribution> {
  const { sql, parameters } = samples(selection);
  const { rows } = await pool.query<{
    ks: number | null;
    reference_samples: number | null;
    current_samples: number | null;
    edges: number[] | null;
    bins: number[] | null;
    reference: number[] | null;
    current: number[] | null;
  }>(
    `with samples as (${sql}),
    counts as (
      select ${feature} as value,
        count(*) filter (where not is_current)::float8 as reference,
        count(*) filter (where is_current)::float8 as current
      from samples where ${feature} is not null group by 1
    ),
    totals as (select sum(reference) as reference, sum(current) as current from counts),
    cdf as materialized (
      select value, sum(reference) over running as reference_below, sum(current) over running as current_below
      from counts window running as (order by value)
    ),
    summary as (
      select max(abs(reference_below / totals.reference - current_below / totals.current)) as ks,
        array[${deciles}] as deciles
      from cdf, totals
    ),
    edges as (select array(select distinct edge from summary, unnest(deciles) edge order by edge) as edges),
    bins as (
      select width_bucket(value, edges.edges) as bin, sum(reference) as reference, sum(current) as current
      from counts, edges group by 1
    )
    select summary.ks, totals.reference as reference_samples, totals.current as current_samples, edges.edges,
      (select array_agg(bin order by bin) from bins) as bins,
      (select array_agg(reference order by bin) from bins) as reference,
      (select array_agg(current order by bin) from bins) as current
    from summary, totals, edges`,
    parameters,
  );
  const row = rows[0];
  const edges = (row?.edges ?? []).map(Number);
  const reference = new Array<number>(edges.length + 1).fill(0);
  const current = new Array<number>(edges.length + 1).fill(0);
  (row?.bins ?? []).forEach((bin, index) => {
    reference[bin] = Number(row?.reference?.[index] ?? 0);
    current[bin] = Number(row?.current?.[index] ?? 0);
  });
  return {
    ksStatistic: Number(row?.ks ?? 0),
    referenceSamples: Number(row?.reference_samples ?? 0),
    currentSamples: Number(row?.current_samples ?? 0),
    edges,
    reference,
    current,
  };
}
