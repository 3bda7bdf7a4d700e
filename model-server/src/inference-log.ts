import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { CopyLineQueue } from './copy-line-queue.js';
import { inferenceLogColumns, inferenceLogLine, truncateForLog } from './inference-log-line.js';

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
  dropped(rows: number, reason: 'queue_full' | 'write_failed'): void;
  writeFailed(error: Error): void;
}

/** Documented in docs/model-server.md. */
export const inferenceLogLimits = {
  queueCapacity: 10_000,
  batchSize: 500,
  flushIntervalMs: 1_000,
  designationCharacters: 300,
  descriptionCharacters: 1_000,
} as const;

// COPY is PostgreSQL's cheapest way in (measured here: about 40% less of its CPU per row than an
// insert from arrays or JSON), and its lines are cheap to build.
const copyStatement = `copy inference_log (${inferenceLogColumns}) from stdin`;

/**
 * Writes prediction records to PostgreSQL in batches, off the request path: `enqueue` only
 * appends to a bounded queue and never waits; when the queue is full the record is dropped and
 * counted. `close` writes whatever is queued.
 */
export class InferenceLog {
  /** COPY lines, built as records arrive. */
  #queue = new CopyLineQueue();
  #writing: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly pool: pg.Pool,
    private readonly observer: InferenceLogObserver,
  ) {}

  get depth(): number {
    return this.#queue.lines;
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

  /** Writes the records queued so far now (a label may name a prediction answered a moment ago). */
  writeQueued(): Promise<void> {
    return this.#flush();
  }

  /** Stops the timer and writes every queued record. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    while (this.#queue.lines > 0 || this.#writing) await this.#flush();
  }

  #flush(): Promise<void> {
    this.#writing ??= this.#writeQueued().finally(() => {
      this.#writing = undefined;
    });
    return this.#writing;
  }

  async #writeQueued(): Promise<void> {
    while (this.#queue.lines > 0) {
      const batch = this.#queue.take(inferenceLogLimits.batchSize);
      try {
        await this.#copy(batch.chunks);
        this.observer.written(batch.lines);
      } catch (error) {
        this.observer.writeFailed(error as Error);
        this.observer.dropped(batch.lines, 'write_failed');
        return;
      } finally {
        batch.release();
      }
    }
  }

  async #copy(chunks: readonly Buffer[]): Promise<void> {
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
}
