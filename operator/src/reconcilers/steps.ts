import { type Condition, type ConditionUpdate, withConditions } from '@prodclass/kube/conditions';
import type { Informer } from '@prodclass/kube/informer';
import type { Logger } from '@prodclass/kube/log';
import { type KubeObject, type ResourceType, splitKey } from '@prodclass/kube/objects';
import type { WithStatus } from '@prodclass/kube/status';
import type { ReconcileResult } from '../controller.js';
import { InvalidSpec } from '../resources/validate.js';
import type { Caches, ReconcileContext } from './context.js';
import { type Announcement, publish } from './status-change.js';

/** What every status of the operator's kinds carries. */
export interface ObjectStatus {
  observedGeneration?: number;
  conditions?: Condition[];
}

/** The object a key names, from the cache; undefined when it is gone or being deleted. */
function liveObject<T extends KubeObject>(cache: Informer<T>, key: string): T | undefined {
  const { namespace, name } = splitKey(key);
  const object = cache.get(namespace, name);
  return object && !object.metadata.deletionTimestamp ? object : undefined;
}

export type Reconciler = (
  ctx: ReconcileContext,
  key: string,
  log: Logger,
) => Promise<ReconcileResult | undefined>;

/** One kind as its reconciler sees it: where its objects are cached and its API resource. */
export interface ReconciledKind<T extends KubeObject> {
  cache(caches: Caches): Informer<T>;
  type: ResourceType;
  /** What to undo when the object is gone (or being deleted): nothing is reconciled then. */
  gone?(ctx: ReconcileContext, key: string): void;
}

/**
 * A kind's reconcile, in the manner of controller-runtime: the object the key names from the cache
 * (nothing to do when it is gone or being deleted), handed with a StatusWriter to `steps`, which
 * run the reconcile's phases and return its result.
 */
export function reconciler<S extends ObjectStatus, T extends WithStatus<S>>(
  kind: ReconciledKind<T>,
  steps: (
    ctx: ReconcileContext,
    writer: StatusWriter<S, T>,
    log: Logger,
  ) => Promise<ReconcileResult | undefined>,
): Reconciler {
  return async (ctx, key, log) => {
    const object = liveObject(kind.cache(ctx.caches), key);
    if (object) return steps(ctx, new StatusWriter<S, T>(ctx, kind.type, object), log);
    kind.gone?.(ctx, key);
    return undefined;
  };
}

/**
 * Collects one reconcile's status change (field updates, condition updates for the object's
 * generation, events to record) and writes it in one status patch; nothing when the status would
 * not change, and the events only when it did. After a write it starts over from the stored object.
 */
export class StatusWriter<S extends ObjectStatus, T extends WithStatus<S> = WithStatus<S>> {
  #update: S = {} as S;
  #conditions: ConditionUpdate[] = [];
  #drop: string[] = [];
  #announcements: Announcement[] = [];

  constructor(
    private readonly ctx: ReconcileContext,
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
    const [first, ...more] = this.#announcements;
    this.current = await publish(
      this.ctx,
      this.type,
      before,
      { ...status, ...this.#update, observedGeneration: generation, conditions } as NonNullable<T['status']>,
      first,
    );
    const changed = this.current !== before;
    if (changed)
      for (const { type, reason, message } of more) this.ctx.events.record(before, type, reason, message);
    this.#update = {} as S;
    this.#conditions = [];
    this.#drop = [];
    this.#announcements = [];
    return changed;
  }
}

/**
 * The validated spec, or undefined when it is invalid and `invalid` has recorded why (an invalid
 * spec stays invalid until the object changes: nothing is retried).
 */
export async function validSpec<Spec>(
  raw: unknown,
  validate: (raw: unknown) => Spec,
  invalid: (message: string) => Promise<unknown>,
): Promise<Spec | undefined> {
  try {
    return validate(raw);
  } catch (error) {
    if (!(error instanceof InvalidSpec)) throw error;
    await invalid(error.message);
    return undefined;
  }
}
