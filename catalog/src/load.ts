import os from 'node:os';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { seededPermutation } from '@prodclass/textmodel/sampling/permutation';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { advisoryLocks } from './advisory-locks.js';
import type { CatalogRow } from './catalog-row.js';
import { productCopyLine } from './copy-text.js';
import { queryInBatches } from './cursor.js';
import { completedLoads, type DataLoad, loadNamed } from './data-loads.js';
import { labelFromLoad } from './feedback/feedback-store.js';
import { DatasetFingerprint, type DatasetRow } from './fingerprint.js';
import { defaultLoadName } from './load-names.js';
import { hundredthsOf, percentageOf, rowsAt } from './percentage.js';
import { type Progress, silent } from './progress.js';
import type { CatalogSource } from './source.js';

export type LoadTarget = { toPercent: number } | { increment: number };

export interface LoadRequest {
  source: CatalogSource;
  target: LoadTarget;
  /** Defaults to the seed's names (`initial_40.0pct`, `week_2`, ...). */
  name?: string;
  /** Seed of the one permutation of the source that every load takes its next slice of. */
  seed: number;
  requestedBy?: string;
}

export type LoadOutcome =
  | { outcome: 'completed'; load: DataLoad }
  | { outcome: 'already-completed'; load: DataLoad };

const copyBatchRows = 5_000;

/** Loads that held the lock before us and are still marked running died before completing. */
async function failInterruptedLoads(client: pg.Client, progress: Progress): Promise<void> {
  const { rows } = await client.query<{ name: string }>(
    `update data_loads set status = 'failed',
       error = 'interrupted: its process stopped before the load completed'
     where status = 'running' returning name`,
  );
  for (const { name } of rows) progress('load-marked-interrupted', { name });
}

function checkSameSource(previous: DataLoad[], source: CatalogSource, seed: number): void {
  const first = previous[0];
  if (!first) return;
  if (first.source_fingerprint !== source.fingerprint || first.metadata.seed !== seed) {
    throw new Error(
      `the catalog was loaded from source ${first.source_fingerprint.slice(0, 12)} with seed ${String(first.metadata.seed)}; ` +
        `this load uses source ${source.fingerprint.slice(0, 12)} with seed ${seed}: loads must share source and seed`,
    );
  }
}

async function* copyLines(
  rows: readonly CatalogRow[],
  loadId: number,
  progress: Progress,
  afterChunk: () => void,
): AsyncGenerator<string> {
  for (let start = 0; start < rows.length; start += copyBatchRows) {
    let chunk = '';
    for (const row of rows.slice(start, start + copyBatchRows)) chunk += productCopyLine(row, loadId);
    yield chunk;
    afterChunk();
    progress('copy', { rows_copied: Math.min(start + copyBatchRows, rows.length), rows_total: rows.length });
  }
}

/**
 * The dataset fingerprint of the catalog once the load's rows are in. While loads have been the
 * only writers, the catalog is exactly the permutation's first rows of the source: they are
 * hashed from memory, a slice between COPY chunks, so that hashing overlaps PostgreSQL's work.
 * After any other change (an update, a delete, an insert outside a load), the products table
 * itself is read back instead.
 */
class LoadFingerprint {
  private readonly fingerprint = new DatasetFingerprint();
  private hashed = 0;

  private constructor(private readonly rowsInMemory: CatalogRow[] | undefined) {}

  static async start(
    client: pg.Client,
    source: CatalogSource,
    permutation: Uint32Array,
    rows: number,
  ): Promise<LoadFingerprint> {
    const { rows: outside } = await client.query<{ changed: boolean }>(
      `select exists (select 1 from products_history where operation <> 'INSERT' or load_id is null) as changed`,
    );
    if (outside[0]?.changed) return new LoadFingerprint(undefined);
    const present = Array.from(
      permutation.subarray(0, rows),
      (position) => source.rows[position] as CatalogRow,
    );
    return new LoadFingerprint(present.sort((a, b) => a.productid - b.productid));
  }

  /** Hashes up to `count` more of the rows kept in memory. */
  advance(count: number): void {
    if (!this.rowsInMemory) return;
    const end = Math.min(this.rowsInMemory.length, this.hashed + count);
    for (; this.hashed < end; this.hashed++)
      this.fingerprint.add(this.rowsInMemory[this.hashed] as CatalogRow);
  }

  /** Must run after the COPY, inside the load's transaction. */
  async finish(client: pg.Client): Promise<string> {
    if (this.rowsInMemory) {
      this.advance(this.rowsInMemory.length);
      return this.fingerprint.digest();
    }
    for await (const batch of queryInBatches<DatasetRow & { productid: string }>(
      client,
      'select productid, prdtypecode, designation, description from products order by productid',
      [],
    )) {
      for (const row of batch) this.fingerprint.add({ ...row, productid: Number(row.productid) });
    }
    return this.fingerprint.digest();
  }
}

/**
 * Loads the next slice of the source's seeded permutation, up to the requested percentage.
 *
 * Loads run one at a time (a session advisory lock; a second load waits for the first). The
 * data_loads row is committed as `running` first, so an interrupted load stays visible; the rows
 * then go in with COPY in a second transaction, attributed to the load through the
 * transaction-local setting prodclass.load_id that the audit trigger reads, and that
 * transaction flips the row to `completed`; in it too, the load's products that logged prediction
 * requests named label those predictions (source `catalog`). A failure rolls back every row of the load and
 * marks it `failed`; running it again retries it. A completed name is never loaded twice.
 */
export async function loadCatalog(
  client: pg.Client,
  request: LoadRequest,
  progress: Progress = silent,
): Promise<LoadOutcome> {
  const { source, seed } = request;
  const totalRows = source.rows.length;
  const locked = await client.query<{ locked: boolean }>('select pg_try_advisory_lock($1, $2) as locked', [
    ...advisoryLocks.loads,
  ]);
  if (!locked.rows[0]?.locked) {
    progress('waiting-for-another-load');
    await client.query('select pg_advisory_lock($1, $2)', [...advisoryLocks.loads]);
  }
  try {
    await failInterruptedLoads(client, progress);
    const previous = await completedLoads(client);
    const last = previous.at(-1);
    const currentHundredths = last ? hundredthsOf(last.cumulative_percentage, 'the current percentage') : 0;
    const targetHundredths =
      'toPercent' in request.target
        ? hundredthsOf(request.target.toPercent, 'the target percentage')
        : currentHundredths + hundredthsOf(request.target.increment, 'the increment');
    // Without a name, asking again for a percentage a completed load reached is a rerun of it.
    const reached =
      request.name === undefined && 'toPercent' in request.target
        ? previous.find(
            (load) => hundredthsOf(load.cumulative_percentage, 'a percentage') === targetHundredths,
          )
        : undefined;
    const name =
      request.name ?? reached?.name ?? defaultLoadName(previous.length, percentageOf(targetHundredths));

    const existing = await loadNamed(client, name);
    if (existing?.status === 'completed') {
      progress('load-already-completed', { name });
      return { outcome: 'already-completed', load: existing };
    }
    if (targetHundredths > 10_000)
      throw new Error(`cannot load ${percentageOf(targetHundredths)}% of the source: the maximum is 100%`);
    if (targetHundredths <= currentHundredths)
      throw new Error(
        `cannot load up to ${percentageOf(targetHundredths)}%: the catalog already holds ${percentageOf(currentHundredths)}%`,
      );
    checkSameSource(previous, source, seed);

    const firstPosition = last?.cumulative_rows ?? 0;
    const lastPosition = rowsAt(totalRows, targetHundredths);
    const permutation = seededPermutation(totalRows, seed);
    const slice = Array.from(
      permutation.subarray(firstPosition, lastPosition),
      (position) => source.rows[position] as CatalogRow,
    );

    const { rows: started } = await client.query<{ id: number }>(
      `insert into data_loads (name, requested_percentage, cumulative_percentage, status, source_fingerprint,
         metadata, requested_by)
       values ($1, $2, $3, 'running', $4, $5, $6)
       on conflict (name) do update set
         requested_percentage = excluded.requested_percentage,
         cumulative_percentage = excluded.cumulative_percentage, status = 'running', started_at = now(),
         completed_at = null, source_fingerprint = excluded.source_fingerprint, metadata = excluded.metadata,
         requested_by = excluded.requested_by, error = null
       where data_loads.status <> 'completed'
       returning id`,
      [
        name,
        percentageOf(targetHundredths - currentHundredths),
        percentageOf(targetHundredths),
        source.fingerprint,
        {
          source: source.origin,
          source_rows: totalRows,
          seed,
          first_position: firstPosition,
          last_position: lastPosition,
        },
        request.requestedBy ?? `${os.userInfo().username}@${os.hostname()}`,
      ],
    );
    const loadId = started[0]?.id as number;
    progress('load-started', {
      name,
      load_id: loadId,
      rows: slice.length,
      to_percent: percentageOf(targetHundredths),
    });

    try {
      await client.query('begin');
      await client.query(`select set_config('prodclass.load_id', $1, true)`, [String(loadId)]);
      const fingerprint = await LoadFingerprint.start(client, source, permutation, lastPosition);
      const hashedPerChunk = Math.ceil(lastPosition / Math.ceil(slice.length / copyBatchRows));
      await pipeline(
        Readable.from(copyLines(slice, loadId, progress, () => fingerprint.advance(hashedPerChunk))),
        client.query(
          copyFrom(
            'copy products (productid, designation, description, imageid, prdtypecode, load_id) from stdin',
          ),
        ),
      );
      const labeled = await labelFromLoad(client, loadId, name);
      if (labeled > 0) progress('catalog-labels', { predictions_labeled: labeled });
      progress('fingerprint');
      const datasetFingerprint = await fingerprint.finish(client);
      await client.query(
        `update data_loads set status = 'completed', completed_at = clock_timestamp(), rows_added = $2,
           cumulative_rows = $3, dataset_fingerprint = $4,
           history_watermark = (select coalesce(max(id), 0) from products_history)
         where id = $1`,
        [loadId, slice.length, lastPosition, datasetFingerprint],
      );
      await client.query('commit');
    } catch (error) {
      const reason = (error as Error).message;
      await client.query('rollback').catch(() => {});
      await client
        .query(`update data_loads set status = 'failed', error = $2 where id = $1`, [loadId, reason])
        .catch(() => {});
      throw new Error(`load "${name}" failed and nothing of it was kept: ${reason}`);
    }
    const load = (await loadNamed(client, name)) as DataLoad;
    progress('load-completed', { name, rows_added: load.rows_added, cumulative_rows: load.cumulative_rows });
    return { outcome: 'completed', load };
  } finally {
    await client.query('select pg_advisory_unlock($1, $2)', [...advisoryLocks.loads]).catch(() => {});
  }
}
