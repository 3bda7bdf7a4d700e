import { type Condition, type ConditionUpdate, withConditions } from '@prodclass/kube/conditions';
import type { EventKind } from '@prodclass/kube/events';
import type { ResourceType } from '@prodclass/kube/objects';
import { type WithStatus, writeStatus } from '@prodclass/kube/status';
import type { ReconcileContext } from './reconcile-context.js';

/** What every status of the operator's kinds carries. */
export interface ObjectStatus {
  observedGeneration?: number;
  conditions?: Condition[];
}

/** An Event worth telling a person about, recorded when the status write it goes with changes something. */
export interface Announcement {
  type: EventKind;
  reason: string;
  message: string;
}

/**
 * The one way a reconcile writes its object's status: it collects field updates, condition updates
 * (for the object's generation, which becomes the observedGeneration) and events, then writes them
 * in one status patch carrying the resourceVersion it read (a stale view fails with 409 and is
 * retried). Nothing is written when the status would not change, and the events are recorded only
 * when it did. After a write it starts over from the stored object.
 */
export class StatusWriter<S extends ObjectStatus, T extends WithStatus<S> = WithStatus<S>> {
  #update: S = {} as S;
  #conditions: ConditionUpdate[] = [];
  #drop: string[] = [];
  #announcements: Announcement[] = [];

  constructor(
    private readonly ctx: Pick<ReconcileContext, 'api' | 'events'>,
    private readonly type: ResourceType,
    private current: T,
  ) {}

  /** The object as last stored (or as read, before any write). */
  get object(): T {
    return this.current;
  }

  /** The status the reconcile started from. */
  get status(): S {
    return this.current.status ?? ({} as S);
  }

  /** Takes a newer copy of the object (after a metadata patch) as the one to write the status of. */
  rebase(object: T): this {
    this.current = object;
    return this;
  }

  set(update: S): this {
    this.#update = { ...this.#update, ...update };
    return this;
  }

  condition(...updates: ConditionUpdate[]): this {
    this.#conditions.push(...updates);
    return this;
  }

  /** Removes a condition that no longer applies. */
  dropCondition(type: string): this {
    this.#drop.push(type);
    return this;
  }

  /** An event to record if the write changes the status. */
  announce(announcement: Announcement | undefined): this {
    if (announcement) this.#announcements.push(announcement);
    return this;
  }

  /** Writes what was collected; whether the status changed. */
  async write(): Promise<boolean> {
    const before = this.current;
    const status = this.status;
    const generation = before.metadata.generation;
    const conditions = withConditions(status.conditions, this.#conditions, generation).filter(
      (condition) => !this.#drop.includes(condition.type),
    );
    const next = { ...status, ...this.#update, observedGeneration: generation, conditions };
    this.current = await writeStatus(this.ctx.api, this.type, before, next as NonNullable<T['status']>);
    const changed = this.current !== before;
    if (changed)
      for (const { type, reason, message } of this.#announcements)
        this.ctx.events.record(before, type, reason, message);
    this.#update = {} as S;
    this.#conditions = [];
    this.#drop = [];
    this.#announcements = [];
    return changed;
  }
}
