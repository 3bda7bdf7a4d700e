import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { CopyLineQueue, type TakenLines } from './copy-line-queue.js';
import { inferenceLogColumns, inferenceLogLine, truncateForLog } from './inference-log-line.js';
import type { InferenceLogSpool } from './inference-log-spool.js';

export interface InferenceRecord {
  predictedAt: Date;
  predictionId: string;
  modelName: string;
  modelVersion: string;
  prdtypecode: number;
  confidence: number;
  /** Characters of the full designation plus description. */
  textLength: number;
  /** Word tokens the model looked up and those not in its vocabulary; absent when it does not count them. */
  tokenCount?: number;
  unknownTokenCount?: number;
  designation: string;
  description: string | null;
  /** The catalog product the request named, if it named one. */
  productid?: number;
  /** Milliseconds the model took to predict this product (its share of a batch). */
  modelMs?: number;
  /** For a candidate's shadow prediction: the prediction id the caller received for the same product. */
  shadowOf?: string;
}

export interface InferenceLogObserver {
  written(rows: number): void;
  dropped(rows: number, reason: 'queue_full' | 'write_failed' | 'spool_full'): void;
  /** A write failed; while PostgreSQL stays away with a spool, only the first failure of each kind is reported. */
  writeFailed(error: Error): void;
  spooled(rows: number): void;
  /** The spool has been written to PostgreSQL to its end: writes go there directly again. */
  spoolWritten(): void;
}

/** Documented in docs/model-server.md. */
export const inferenceLogLimits = {
  queueCapacity: 10_000,
  batchSize: 500,
  flushIntervalMs: 1_000,
  /** While PostgreSQL is away, how often the spool's oldest rows are tried again. */
  spoolRetryMs: 1_000,
  designationCharacters: 300,
  descriptionCharacters: 1_000,
} as const;

// COPY is PostgreSQL's cheapest way in (measured here: about 40% less of its CPU per row than an
// insert from arrays or JSON), and its lines are cheap to build.
const copyStatement = `copy inference_log (${inferenceLogColumns}) from stdin`;

// Spooled rows go through a scratch table and skip the ones already logged: a segment whose COPY
// committed (or whose failed COPY committed all the same, the answer lost with the connection) is
// written again after a crash before its file was removed. No conflict target: the unique index on
// prediction_id, or on (prediction_id, predicted_at) of a partitioned log, catches them either way.
const replayStatements = [
  'create temporary table inference_log_replay (like inference_log) on commit drop',
  `copy inference_log_replay (${inferenceLogColumns}) from stdin`,
  `insert into inference_log (${inferenceLogColumns}) select ${inferenceLogColumns} from inference_log_replay on conflict do nothing`,
] as const;

/**
 * Whether a write failed because PostgreSQL could not be reached or is not taking connections
 * (so the rows may be kept for later) rather than because it refused them: its SQLSTATE classes
 * 08 (connection exception), 53 (insufficient resources) and 57 (operator intervention, e.g. a
 * shutdown), and every error that is not PostgreSQL's (refused connection, timeout, lost socket).
 */
export function isDatabaseAway(error: unknown): boolean {
  if (!(error instanceof pg.DatabaseError)) return true;
  const sqlClass = error.code?.slice(0, 2);
  return sqlClass === '08' || sqlClass === '53' || sqlClass === '57';
}

/**
 * Writes prediction records to PostgreSQL in batches, off the request path: `enqueue` only
 * appends to a bounded queue and never waits; when the queue is full the record is dropped and
 * counted. With a spool, batches PostgreSQL cannot take (it is away) are appended to it, and so
 * is every later batch until the spool has been written, oldest first, once it is back: rows
 * reach the table in the order they were answered. `close` writes whatever is queued.
 */
export class InferenceLog {
  /** COPY lines, built as records arrive. */
  #queue = new CopyLineQueue();
  #writing: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  /** Not before this time (ms) is the spool tried again. */
  #retryAt = 0;
  /** While PostgreSQL is away: the kind (error name) of the last failure reported. */
  #awayBecause: string | undefined;

  /**
   * @param schemaChecked made before each write to PostgreSQL when the server started without
   *   checking the schema (it was away); its failure counts as PostgreSQL being away, so the rows
   *   stay spooled until `prodclass db migrate` has run, rather than be refused and dropped.
   */
  constructor(
    private readonly pool: pg.Pool,
    private readonly observer: InferenceLogObserver,
    private readonly spool?: InferenceLogSpool,
    private readonly schemaChecked?: () => Promise<void>,
  ) {}

  get depth(): number {
    return this.#queue.lines;
  }

  get spooledRows(): number {
    return this.spool?.lines ?? 0;
  }

  get spooledBytes(): number {
    return this.spool?.bytes ?? 0;
  }

  start(): void {
    this.#timer = setInterval(() => void this.#flush(), inferenceLogLimits.flushIntervalMs).unref();
  }

  enqueue(record: InferenceRecord): void {
    if (this.#queue.lines >= inferenceLogLimits.queueCapacity) {
      this.observer.dropped(1, 'queue_full');
      return;
    }
    this.#queue.push(
      inferenceLogLine({
        ...record,
        designation: truncateForLog(record.designation, inferenceLogLimits.designationCharacters),
        description:
          record.description === null
            ? null
            : truncateForLog(record.description, inferenceLogLimits.descriptionCharacters),
      }),
    );
    if (this.#queue.lines >= inferenceLogLimits.batchSize) void this.#flush();
  }

  /**
   * Writes the records queued so far now (a label may name a prediction answered a moment ago),
   * and the spool before them without waiting for its next retry: the label may name a spooled one.
   */
  writeQueued(): Promise<void> {
    this.#retryAt = 0;
    return this.#flush();
  }

  /**
   * Stops the timer and writes every queued record, and the spool if PostgreSQL takes it now (a
   * deleted pod's emptyDir goes with it); what it does not take stays spooled for the next start.
   */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.#writing;
    this.#retryAt = 0;
    do await this.#flush();
    while (this.#queue.lines > 0 || this.#writing);
    await this.spool?.close();
  }

  #flush(): Promise<void> {
    this.#writing ??= this.#writeQueued()
      // Only the spool's files can fail here (reading or removing a segment); its lines stay
      // spooled, and a segment written but not removed is skipped row by row when written again.
      .catch((error: Error) => this.observer.writeFailed(error))
      .finally(() => {
        this.#writing = undefined;
      });
    return this.#writing;
  }

  async #writeQueued(): Promise<void> {
    if (this.spool && !this.spool.empty) {
      await this.#writeSpool(this.spool);
      if (!this.spool.empty) return this.#spoolQueued(this.spool);
    }
    while (this.#queue.lines > 0) {
      const batch = this.#queue.take(inferenceLogLimits.batchSize);
      try {
        await this.#copy(batch.chunks);
        this.observer.written(batch.lines);
      } catch (error) {
        if (this.spool && isDatabaseAway(error)) {
          this.#wentAway(error as Error);
          await this.#spoolBatch(this.spool, batch);
          return this.#spoolQueued(this.spool);
        }
        this.observer.writeFailed(error as Error);
        this.observer.dropped(batch.lines, 'write_failed');
        return;
      } finally {
        batch.release();
      }
    }
  }

  /** Writes spooled segments, oldest first, while PostgreSQL takes them; queued lines join the spool meanwhile. */
  async #writeSpool(spool: InferenceLogSpool): Promise<void> {
    if (Date.now() < this.#retryAt) return;
    while (!spool.empty) {
      await this.#spoolQueued(spool);
      const segment = await spool.oldest();
      if (!segment) break;
      try {
        this.observer.written(await this.#replay(segment.bytes));
      } catch (error) {
        if (isDatabaseAway(error)) {
          this.#wentAway(error as Error);
          return;
        }
        // Rows PostgreSQL refuses would hold back every row behind them.
        this.observer.writeFailed(error as Error);
        this.observer.dropped(segment.lines, 'write_failed');
      }
      await segment.remove();
    }
    this.#awayBecause = undefined;
    this.observer.spoolWritten();
  }

  #wentAway(error: Error): void {
    this.#retryAt = Date.now() + inferenceLogLimits.spoolRetryMs;
    if (this.#awayBecause === error.name) return;
    this.#awayBecause = error.name;
    this.observer.writeFailed(error);
  }

  async #spoolQueued(spool: InferenceLogSpool): Promise<void> {
    while (this.#queue.lines > 0) {
      const batch = this.#queue.take(inferenceLogLimits.batchSize);
      try {
        await this.#spoolBatch(spool, batch);
      } finally {
        batch.release();
      }
    }
  }

  async #spoolBatch(spool: InferenceLogSpool, batch: TakenLines): Promise<void> {
    try {
      if (await spool.append(batch.chunks, batch.lines)) this.observer.spooled(batch.lines);
      else this.observer.dropped(batch.lines, 'spool_full');
    } catch (error) {
      this.observer.writeFailed(error as Error);
      this.observer.dropped(batch.lines, 'write_failed');
    }
  }

  async #copy(chunks: readonly Buffer[]): Promise<void> {
    await this.schemaChecked?.();
    const client = await this.pool.connect();
    try {
      await pipeline(Readable.from(chunks), client.query(copyFrom(copyStatement)));
    } catch (error) {
      // A connection left mid-COPY is not reused.
      client.release(error as Error);
      throw error;
    }
    client.release();
  }

  /** Writes spooled lines once; resolves with how many were not in the log already. */
  async #replay(bytes: Buffer): Promise<number> {
    await this.schemaChecked?.();
    const client = await this.pool.connect();
    try {
      await client.query('begin');
      await client.query(replayStatements[0]);
      await pipeline(Readable.from([bytes]), client.query(copyFrom(replayStatements[1])));
      const { rowCount } = await client.query(replayStatements[2]);
      await client.query('commit');
      client.release();
      return rowCount ?? 0;
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      client.release(error as Error);
      throw error;
    }
  }
}
