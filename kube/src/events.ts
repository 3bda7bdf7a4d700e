import { randomBytes } from 'node:crypto';
import type { KubeApi } from './api.js';
import { timestamp } from './conditions.js';
import type { Logger } from './log.js';
import { eventType, type KubeObject } from './objects.js';

export type EventKind = 'Normal' | 'Warning';

/**
 * Records core/v1 Events on the objects it reconciles (what `kubectl describe` shows). Like
 * client-go's broadcaster, it sends them one at a time in the background, so a burst of
 * reconciles does not spend the API server's attention on Events before the work itself.
 */
export class EventRecorder {
  #pending: Promise<void> = Promise.resolve();

  constructor(
    private readonly api: KubeApi,
    private readonly instance: string,
    private readonly log: Logger,
  ) {}

  record(object: KubeObject, type: EventKind, reason: string, message: string): void {
    this.#pending = this.#pending.then(() => this.#send(object, type, reason, message));
  }

  /** Resolves once every Event recorded so far has been sent (or has failed). */
  flush(): Promise<void> {
    return this.#pending;
  }

  async #send(object: KubeObject, type: EventKind, reason: string, message: string): Promise<void> {
    const namespace = object.metadata.namespace ?? 'default';
    const now = timestamp();
    const event = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `${object.metadata.name}.${randomBytes(8).toString('hex')}`, namespace },
      involvedObject: {
        apiVersion: object.apiVersion,
        kind: object.kind,
        name: object.metadata.name,
        namespace,
        uid: object.metadata.uid,
        resourceVersion: object.metadata.resourceVersion,
      },
      type,
      reason,
      message,
      count: 1,
      firstTimestamp: now,
      lastTimestamp: now,
      source: { component: 'prodclass-operator' },
      reportingComponent: 'prodclass-operator',
      reportingInstance: this.instance,
    };
    await this.api.create(eventType, namespace, event).catch((error: unknown) => {
      this.log.warn('could not record an event', { reason, object: object.metadata.name, error });
    });
  }
}
