import type { Logger } from '@prodclass/kube/log';
import { type KubeObject, keyOf, splitKey } from '@prodclass/kube/objects';
import type { WithStatus } from '@prodclass/kube/status';
import type { ReconcileResult } from '../controller.js';
import type { CachedKind, Caches } from './caches.js';
import type { ReconcileContext } from './reconcile-context.js';
import { type ObjectStatus, StatusWriter } from './status-writer.js';

/** Another kind whose changes concern a controller, and which of its objects one change concerns. */
export interface Watch<S extends KubeObject = KubeObject> {
  readonly kind: CachedKind<S>;
  /** The keys (namespace/name) of the reconciled objects an event on `object` asks to look at again. */
  keysFor(object: S, caches: Caches): string[];
}

export function watch<S extends KubeObject>(
  kind: CachedKind<S>,
  keysFor: (object: S, caches: Caches) => string[],
): Watch<S> {
  return { kind, keysFor };
}

/**
 * A watch of `watched` that queues the `referrers` of its namespace naming the changed object in
 * the field `refersTo` reads (a TrainingRun's dataVersion, a DriftMonitor's predictionService).
 */
export function watchReferences<S extends KubeObject, T extends KubeObject>(
  watched: CachedKind<S>,
  referrers: CachedKind<T>,
  refersTo: (referrer: T) => string | undefined,
): Watch<S> {
  return watch(watched, (object, caches) =>
    caches
      .of(referrers)
      .list()
      .filter(
        (referrer) =>
          referrer.metadata.namespace === object.metadata.namespace &&
          refersTo(referrer) === object.metadata.name,
      )
      .map(keyOf),
  );
}

/**
 * A controller as the manager runs it, in the manner of controller-runtime's builder
 * (For / Owns / Watches): every event on an object of `for` queues that object's key, an event on a
 * child of an `owns` kind queues its controller owner, an event on a `watches` kind queues the keys
 * its mapping names. Anything else that wakes it (a schedule, polling outside Kubernetes) is the
 * reconcile's own `requeueAfterMs`.
 */
export interface ControllerDescription {
  readonly for: CachedKind<KubeObject>;
  readonly owns: readonly CachedKind<KubeObject>[];
  readonly watches: readonly Watch[];
  reconcile(ctx: ReconcileContext, key: string, log: Logger): Promise<ReconcileResult | undefined>;
}

/**
 * A controller of a kind with a status: the reconcile gets the live object the key names from the
 * cache (nothing is reconciled when it is gone or being deleted; `gone` undoes what outlives it),
 * with a StatusWriter for its status.
 */
export function describeController<S extends ObjectStatus, T extends WithStatus<S>>(definition: {
  for: CachedKind<T>;
  owns?: CachedKind<KubeObject>[];
  watches?: Watch[];
  gone?(ctx: ReconcileContext, key: string): void;
  reconcile(
    ctx: ReconcileContext,
    writer: StatusWriter<S, T>,
    log: Logger,
  ): Promise<ReconcileResult | undefined>;
}): ControllerDescription {
  const { for: kind, owns = [], watches = [], gone, reconcile } = definition;
  return {
    for: kind,
    owns,
    watches,
    async reconcile(ctx, key, log) {
      const { namespace, name } = splitKey(key);
      const object = ctx.caches.of(kind).get(namespace, name);
      if (object && !object.metadata.deletionTimestamp)
        return reconcile(ctx, new StatusWriter<S, T>(ctx, kind.type, object), log);
      gone?.(ctx, key);
      return undefined;
    },
  };
}
