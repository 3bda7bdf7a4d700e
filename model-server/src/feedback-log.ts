import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  applyStagedLabels,
  type LabelProblem,
  prepareStaging,
  resolveStagedLabels,
  type StagedLabel,
  stagedLabelLine,
  stagingCopyStatement,
} from '@prodclass/catalog/feedback/feedback-store';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { CopyLineQueue } from './copy-line-queue.js';
import { HttpError } from './http-errors.js';
import type { InferenceLog } from './inference-log.js';

/** Documented in docs/model-server.md. */
export const feedbackLogLimits = { queueCapacity: 50_000 } as const;

export interface FeedbackLogObserver {
  written(labels: number): void;
  writeFailed(error: Error): void;
}

/** Labels of one request that cannot be written, with what is wrong with each (in item order). */
export class LabelsRejected extends Error {
  constructor(readonly problems: { position: number; reason: string }[]) {
    super(`${problems.length} label(s) rejected`);
    this.name = 'LabelsRejected';
  }
}

interface PendingRequest {
  group: number;
  resolve(labeled: number): void;
  reject(error: Error): void;
}

export type SubmittedLabel = Omit<StagedLabel, 'group' | 'source'>;

/**
 * Writes labels to prediction_feedback. Unlike the inference log the caller waits for its labels
 * to be written (it must learn which ones name no prediction), but requests arriving while a
 * write runs are queued and go together in the next one: one transaction, one COPY into the
 * staging table, one resolution and one upsert for all of them, each request all or nothing.
 */
export class FeedbackLog {
  #queue = new CopyLineQueue();
  #pending: PendingRequest[] = [];
  #writing: Promise<void> | undefined;
  #nextGroup = 0;

  constructor(
    private readonly pool: pg.Pool,
    /** Written first, so that a label may name a prediction answered a moment before. */
    private readonly inferenceLog: InferenceLog,
    private readonly observer: FeedbackLogObserver,
  ) {}

  /** Resolves with how many predictions the labels name, or rejects with LabelsRejected or an HttpError. */
  submit(labels: readonly SubmittedLabel[]): Promise<number> {
    if (this.#queue.lines + labels.length > feedbackLogLimits.queueCapacity) {
      return Promise.reject(new HttpError(503, 'too many labels are waiting to be written; retry shortly'));
    }
    const group = this.#nextGroup;
    this.#nextGroup = (this.#nextGroup + 1) % 2 ** 31;
    for (const label of labels) this.#queue.push(stagedLabelLine({ ...label, group, source: 'api' }));
    const answer = new Promise<number>((resolve, reject) => this.#pending.push({ group, resolve, reject }));
    this.#writing ??= this.#writeAll().finally(() => {
      this.#writing = undefined;
    });
    return answer;
  }

  /** Waits for every submitted label to be written or rejected. */
  async close(): Promise<void> {
    while (this.#writing) await this.#writing;
  }

  async #writeAll(): Promise<void> {
    while (this.#pending.length > 0) {
      const requests = this.#pending.splice(0);
      const batch = this.#queue.take(Number.MAX_SAFE_INTEGER);
      try {
        await this.inferenceLog.writeQueued();
        const { problems, labeled } = await this.#write(batch.chunks);
        this.observer.written([...labeled.values()].reduce((sum, count) => sum + count, 0));
        for (const request of requests) {
          const rejected = problems.filter((problem) => problem.group === request.group);
          if (rejected.length > 0) request.reject(new LabelsRejected(rejected));
          else request.resolve(labeled.get(request.group) ?? 0);
        }
      } catch (error) {
        this.observer.writeFailed(error as Error);
        const failed = new HttpError(503, 'the labels could not be written; nothing of them was kept, retry');
        for (const request of requests) request.reject(failed);
      } finally {
        batch.release();
      }
    }
  }

  async #write(
    chunks: readonly Buffer[],
  ): Promise<{ problems: LabelProblem[]; labeled: Map<number, number> }> {
    const client = await this.pool.connect();
    try {
      await client.query('begin');
      await prepareStaging(client);
      await pipeline(Readable.from(chunks), client.query(copyFrom(stagingCopyStatement)));
      const problems = await resolveStagedLabels(client);
      const labeled = await applyStagedLabels(client, [...new Set(problems.map((problem) => problem.group))]);
      await client.query('commit');
      client.release();
      return { problems, labeled };
    } catch (error) {
      await client.query('rollback').catch(() => {});
      // A connection left mid-COPY is not reused.
      client.release(error as Error);
      throw error;
    }
  }
}
