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

// The batch travels as one JSON array of the queued records: JSON.stringify is native and fast,
// where encoding nine PostgreSQL arrays of 500 values in JavaScript held up requests for milliseconds.
const insertBatch = `insert into inference_log
  (prediction_id, predicted_at, model_name, model_version, prdtypecode, confidence, text_length, designation, description)
select * from json_to_recordset($1::json) as record("predictionId" uuid, "predictedAt" timestamptz,
  "modelName" text, "modelVersion" text, prdtypecode integer, confidence real, "textLength" integer,
  designation text, description text)`;

/**
 * Text PostgreSQL's JSON functions turn into `text` without refusing it: NUL and unpaired
 * surrogates (a JSON body can escape them) become U+FFFD, as encoding to UTF-8 would.
 */
const unstorable = /\0|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** The first `limit` UTF-16 units of `text`, not ending in half a surrogate pair, made storable. */
function truncateForLog(text: string, limit: number): string {
  let end = Math.min(text.length, limit);
  const last = text.charCodeAt(end - 1);
  if (end < text.length && last >= 0xd800 && last <= 0xdbff) end--;
  return (end === text.length ? text : text.slice(0, end)).replace(unstorable, '\uFFFD');
}

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
      predictedAt: record.predictedAt,
      predictionId: record.predictionId,
      modelName: record.modelName,
      modelVersion: record.modelVersion,
      prdtypecode: record.prdtypecode,
      confidence: record.confidence,
      textLength: record.textLength,
      designation: truncateForLog(record.designation, inferenceLogLimits.designationCharacters),
      description:
        record.description === null
          ? null
          : truncateForLog(record.description, inferenceLogLimits.descriptionCharacters),
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
        await this.pool.query(insertBatch, [JSON.stringify(batch)]);
        this.observer.written(batch.length);
      } catch (error) {
        this.observer.writeFailed(error as Error);
        this.observer.dropped(batch.length, 'write_failed');
        return;
      }
    }
  }
}
