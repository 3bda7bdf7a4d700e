import { isConflict } from '@prodclass/kube/api';
import type { Logger } from '@prodclass/kube/log';
import { WorkQueue } from '@prodclass/kube/work-queue';
import type { OperatorMetrics } from './metrics.js';

export interface ReconcileResult {
  /** Look again after this long even if nothing changes (polling something outside Kubernetes). */
  requeueAfterMs?: number;
}

export type Reconcile = (key: string, log: Logger) => Promise<ReconcileResult | undefined>;

/**
 * One kind's reconcile loop: keys from watch events go into a work queue, `concurrency` workers
 * reconcile them one key at a time; an error (a 409 conflict included) requeues the key with
 * backoff, a result may ask to look again later.
 */
export class Controller {
  readonly queue: WorkQueue;
  #workers: Promise<void>[] = [];

  constructor(
    readonly kind: string,
    private readonly reconcile: Reconcile,
    private readonly options: { concurrency: number; metrics: OperatorMetrics; log: Logger },
  ) {
    this.queue = new WorkQueue(undefined, (depth) => options.metrics.queueDepth.set({ kind }, depth));
  }

  enqueue(key: string): void {
    this.queue.add(key);
  }

  start(): void {
    for (let i = 0; i < this.options.concurrency; i++) this.#workers.push(this.#work());
  }

  async stop(): Promise<void> {
    this.queue.shutDown();
    await Promise.all(this.#workers);
  }

  async #work(): Promise<void> {
    for (let key = await this.queue.get(); key !== undefined; key = await this.queue.get()) {
      await this.#reconcileOne(key);
      this.queue.done(key);
    }
  }

  async #reconcileOne(key: string): Promise<void> {
    const { metrics } = this.options;
    const log = this.options.log.child({ kind: this.kind, key });
    const stopTimer = metrics.duration.startTimer({ kind: this.kind });
    try {
      const result = await this.reconcile(key, log);
      this.queue.forget(key);
      if (result?.requeueAfterMs !== undefined) {
        this.queue.addAfter(key, result.requeueAfterMs);
        metrics.reconciles.inc({ kind: this.kind, result: 'requeue' });
      } else {
        metrics.reconciles.inc({ kind: this.kind, result: 'success' });
      }
    } catch (error) {
      const conflict = isConflict(error);
      metrics.reconciles.inc({ kind: this.kind, result: conflict ? 'conflict' : 'error' });
      metrics.errors.inc({ kind: this.kind });
      if (conflict) log.debug('conflict; requeued', { error });
      else log.warn('reconcile failed; requeued with backoff', { error });
      this.queue.addRateLimited(key);
    } finally {
      stopTimer();
    }
  }
}
