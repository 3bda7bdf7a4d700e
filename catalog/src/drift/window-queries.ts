import type pg from 'pg';

/**
 * SQL that aggregates the two windows of a drift check in PostgreSQL: counts per class, per bin
 * and per distinct value come back, never rows. The windows are read from the index
 * inference_log_drift alone (catalog/migrations/004_drift.sql), of the partitions of their days
 * only (the log is partitioned by day: catalog/migrations/007).
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

/** Confidences are compared in steps of 1/confidenceSteps (docs/drift.md). */
export const confidenceSteps = 10_000;

const logColumns = 'text_length, prdtypecode, confidence, token_count, unknown_token_count';

// Served predictions only: a candidate's shadow rows (shadow_of set) were never answered.
const logRows = `from inference_log where model_name = $1 and ($2::text is null or model_version = $2) and shadow_of is null`;

function logWindow(isCurrent: boolean, from: string, to: string): string {
  return `select ${isCurrent} as is_current, ${logColumns} ${logRows} and predicted_at >= ${from} and predicted_at < ${to}`;
}

// The catalog as of a load, as catalog/src/snapshot.ts rebuilds it: each product's latest
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
  if (reference.kind === 'window' && reference.to.getTime() === current.from.getTime()) {
    // The usual case, a reference just before the current window: one range of the index.
    parameters.push(reference.from);
    return {
      sql: `select predicted_at >= $3 as is_current, ${logColumns} ${logRows} and predicted_at >= $5 and predicted_at < $4`,
      parameters,
    };
  }
  if (reference.kind === 'window') {
    parameters.push(reference.from, reference.to);
    return { sql: `${currentRows} union all ${logWindow(false, '$5', '$6')}`, parameters };
  }
  parameters.push(reference.historyWatermark);
  return { sql: `${currentRows} union all ${trainingRows}`, parameters };
}

export interface TokenTotals {
  tokens: number;
  unknown: number;
}

export interface ClassCounts {
  /** prdtypecode → rows of each window. */
  reference: Map<number, number>;
  current: Map<number, number>;
  /** Terms looked up and terms unknown, over the rows whose server counted them. */
  tokens: { reference: TokenTotals; current: TokenTotals };
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

export interface WindowAggregates {
  classes: ClassCounts;
  textLength: NumericDistribution;
  /** Null when a window has no confidences (the training data). */
  confidence: NumericDistribution | null;
}

/**
 * For one numeric column of `counts` (one row per distinct value): the running sums give the KS
 * statistic and the reference's deciles (inverted-CDF quantiles: the smallest value with at least
 * ⌈k·N/10⌉ reference rows at or below it, as percentile_disc has them, in exact arithmetic);
 * width_bucket then counts both windows in the decile bins.
 */
function numericSummary(name: string, column: string): string {
  const deciles = [1, 2, 3, 4, 5, 6, 7, 8, 9]
    .map((k) => `min(value) filter (where 10 * reference_below >= ${k} * totals.reference)`)
    .join(', ');
  return `${name}_counts as (
      select ${column} as value,
        coalesce(sum(rows) filter (where not is_current), 0) as reference,
        coalesce(sum(rows) filter (where is_current), 0) as current
      from counts where ${column} is not null group by 1
    ),
    ${name}_totals as (
      select sum(reference) as reference, sum(current) as current from ${name}_counts
    ),
    ${name}_cdf as (
      select value, sum(reference) over running as reference_below, sum(current) over running as current_below
      from ${name}_counts window running as (order by value)
    ),
    ${name}_summary as (
      select max(abs(reference_below / nullif(totals.reference, 0) - current_below / nullif(totals.current, 0))) as ks,
        array[${deciles}] as deciles
      from ${name}_cdf, ${name}_totals totals
    ),
    ${name}_edges as (
      select array(select distinct edge from ${name}_summary, unnest(deciles) edge where edge is not null order by edge) as edges
    ),
    ${name}_bins as (
      select width_bucket(value, edges) as bin, sum(reference) as reference, sum(current) as current
      from ${name}_counts, ${name}_edges group by 1
    ),
    ${name} as (
      select summary.ks, totals.reference as reference_samples, totals.current as current_samples, edges.edges,
        (select array_agg(bin order by bin) from ${name}_bins) as bins,
        (select array_agg(reference order by bin) from ${name}_bins) as reference,
        (select array_agg(current order by bin) from ${name}_bins) as current
      from ${name}_summary summary, ${name}_totals totals, ${name}_edges edges
    )`;
}

interface NumericRow {
  ks: number | null;
  reference_samples: number | null;
  current_samples: number | null;
  edges: number[];
  bins: number[] | null;
  reference: number[] | null;
  current: number[] | null;
}

function toDistribution(row: NumericRow, scale = 1): NumericDistribution {
  const reference = new Array<number>(row.edges.length + 1).fill(0);
  const current = new Array<number>(row.edges.length + 1).fill(0);
  (row.bins ?? []).forEach((bin, index) => {
    reference[bin] = row.reference?.[index] ?? 0;
    current[bin] = row.current?.[index] ?? 0;
  });
  return {
    ksStatistic: row.ks ?? 0,
    referenceSamples: row.reference_samples ?? 0,
    currentSamples: row.current_samples ?? 0,
    edges: row.edges.map((edge) => edge / scale),
    reference,
    current,
  };
}

/**
 * Runs one aggregation without parallel workers: a background check should not take every core
 * of the database the model server writes to, and its two statements already run side by side
 * (on the 2-core stack, workers made the check slower: bench/RESULTS.md).
 */
async function aggregate<Row extends pg.QueryResultRow>(
  pool: pg.Pool,
  sql: string,
  parameters: unknown[],
): Promise<Row> {
  const client = await pool.connect();
  try {
    await client.query('begin read only');
    await client.query('set local max_parallel_workers_per_gather = 0');
    const { rows } = await client.query<Row>(sql, parameters);
    await client.query('commit');
    if (!rows[0]) throw new Error('the drift aggregation returned no row');
    return rows[0];
  } catch (error) {
    await client.query('rollback').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

interface ClassRow {
  code: number;
  is_current: boolean;
  rows: number;
  tokens: number | null;
  unknown: number | null;
}

/** Counts per class and text length (one hash aggregate), the text length's summary, the classes. */
async function classesAndTextLength(
  pool: pg.Pool,
  selection: WindowSelection,
): Promise<{ classes: ClassRow[] | null; text_length: NumericRow }> {
  const { sql, parameters } = samples(selection);
  return aggregate<{ classes: ClassRow[] | null; text_length: NumericRow }>(
    pool,
    `with samples as (${sql}),
    counts as materialized (
      select is_current, prdtypecode, text_length, count(*)::float8 as rows,
        sum(token_count) as tokens, sum(unknown_token_count) as unknown
      from samples group by is_current, prdtypecode, text_length
    ),
    ${numericSummary('text_length', 'text_length')}
    select
      (select json_agg(json_build_object('code', prdtypecode, 'is_current', is_current, 'rows', rows,
          'tokens', tokens, 'unknown', unknown))
        from (
          select prdtypecode, is_current, sum(rows) as rows, sum(tokens) as tokens, sum(unknown) as unknown
          from counts group by prdtypecode, is_current
        ) classes) as classes,
      (select row_to_json(text_length) from text_length) as text_length`,
    parameters,
  );
}

/** Counts per confidence step, and their summary. */
async function confidenceSummary(pool: pg.Pool, selection: WindowSelection): Promise<NumericRow> {
  const { sql, parameters } = samples(selection);
  const row = await aggregate<{ confidence: NumericRow }>(
    pool,
    `with samples as (${sql}),
    counts as materialized (
      select is_current, round(confidence::float8 * ${confidenceSteps})::integer as confidence_step,
        count(*)::float8 as rows
      from samples group by 1, 2
    ),
    ${numericSummary('confidence', 'confidence_step')}
    select row_to_json(confidence) as confidence from confidence`,
    parameters,
  );
  return row.confidence;
}

/**
 * Everything the drift tests need from both windows, aggregated in PostgreSQL by two statements
 * that run side by side on two connections: counts per class and text length, and counts per
 * confidence step (two plain hash aggregates cost less than one with grouping sets), each followed
 * by its numeric feature's KS statistic, deciles and decile bins. Each returns one row of JSON.
 */
export async function aggregateWindows(pool: pg.Pool, selection: WindowSelection): Promise<WindowAggregates> {
  const [row, confidenceRow] = await Promise.all([
    classesAndTextLength(pool, selection),
    // The training data has no confidences.
    selection.reference.kind === 'window' ? confidenceSummary(pool, selection) : null,
  ]);
  const classes: ClassCounts = {
    reference: new Map(),
    current: new Map(),
    tokens: { reference: { tokens: 0, unknown: 0 }, current: { tokens: 0, unknown: 0 } },
  };
  for (const counts of row.classes ?? []) {
    const window = counts.is_current ? 'current' : 'reference';
    classes[window].set(counts.code, counts.rows);
    const totals = classes.tokens[window];
    classes.tokens[window] = {
      tokens: totals.tokens + (counts.tokens ?? 0),
      unknown: totals.unknown + (counts.unknown ?? 0),
    };
  }
  const confidence = confidenceRow && toDistribution(confidenceRow, confidenceSteps);
  return {
    classes,
    textLength: toDistribution(row.text_length),
    confidence:
      confidence && confidence.referenceSamples > 0 && confidence.currentSamples > 0 ? confidence : null,
  };
}
