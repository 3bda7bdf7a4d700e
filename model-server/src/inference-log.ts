import type pg from 'pg';

export interface InferenceRecord {
  predictedAt: Date;
  predictionId: string;
  modelName: string;
  modelVersion: string;
  prdtypecode: number;
  confidence: number;
  /** Characters of the full designation plus description. */
  textLength: number;
  designation: string;
  description: string | null;
}

export interface InferenceLogObserver {
  written(rows: number): void;
  dropped(rows: number, reason: 'queue_full' | 'write_failed'): void;
  writeFailed(error: Error): void;
}

/** Documented in the README's model-server section. */
export const inferenceLogLimits = {
  queueCapacity: 10_000,
  batchSize: 500,
  flushIntervalMs: 1_000,
  designationCharacters: 300,
  descriptionCharacters: 1_000,
} as const;

const insertBatch = `insert into inference_log
  (prediction_id, predicted_at, model_name, model_version, prdtypecode, confidence, text_length, designation, description)
select * from unnest($1::uuid[], $2::timestamptz[], $3::text[], $4::text[], $5::integer[], $6::real[],
  $7::integer[], $8::text[], $9::text[])`;

/**
 * Writes prediction records to PostgreSQL in batches, off the request path: `enqueue` only
 * appends to a bounded queue and never waits; when the queue is full the record is dropped and
 * counted. `close` writes whatever is queued.
 */
export class InferenceLog {
  #queue: InferenceRecord[] = [];
  #writing: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly pool: pg.Pool,
    private readonly observer: InferenceLogObserver,
  ) {}

  get depth(): number {
    return this.#queue.length;
  }

  start(): void {
    this.#timer = setInterval(() => void this.#flush(), inferenceLogLimits.flushIntervalMs).unref();
  }

  enqueue(record: InferenceRecord): void {
    if (this.#queue.length >= inferenceLogLimits.queueCapacity) {
      this.observer.dropped(1, 'queue_full');
      return;
    }
    this.#queue.push({
      ...record,
      designation: record.designation.slice(0, inferenceLogLimits.designationCharacters),
      description: record.description?.slice(0, inferenceLogLimits.descriptionCharacters) ?? null,
    });
    if (this.#queue.length >= inferenceLogLimits.batchSize) void this.#flush();
  }

  /** Stops the timer and writes every queued record. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    while (this.#queue.length > 0 || this.#writing) await this.#flush();
  }

  #flush(): Promise<void> {
    this.#writing ??= this.#writeQueued().finally(() => {
      this.#writing = undefined;
    });
    return this.#writing;
  }

  async #writeQueued(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#queue.splice(0, inferenceLogLimits.batchSize);
      try {
        await this.pool.query(insertBatch, [
          batch.map((row) => row.predictionId),
          batch.map((row) => row.predictedAt),
          batch.map((row) => row.modelName),
          batch.map((row) => row.modelVersion),
          batch.map((row) => row.prdtypecode),
          batch.map((row) => row.confidence),
          batch.map((row) => row.textLength),
          batch.map((row) => row.designation),
          batch.map((row) => row.description),
        ]);
        this.observer.written(batch.length);
      } catch (error) {
        this.observer.writeFailed(error as Error);
        this.observer.dropped(batch.length, 'write_failed');
        return;
      }
    }
  }
}
