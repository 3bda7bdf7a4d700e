import type { Informer } from '@prodclass/kube/informer';
import type { KubeObject, ResourceType } from '@prodclass/kube/objects';

declare const objectsOf: unique symbol;

/**
 * A kind the operator caches: its API resource, the type of its objects, and for built-in kinds
 * the label selector of the objects the operator made (it watches only those).
 */
export interface CachedKind<T extends KubeObject> {
  readonly type: ResourceType;
  readonly labelSelector?: string;
  /** Never set: it carries the objects' type to `Caches.of`. */
  readonly [objectsOf]?: T;
}

export function cachedKind<T extends KubeObject>(type: ResourceType, labelSelector?: string): CachedKind<T> {
  return { type, labelSelector };
}

/** One informer per kind the controllers reconcile, own or watch, shared by all of them. */
export class Caches {
  readonly #informers = new Map<string, Informer<KubeObject>>();

  constructor(
    kinds: CachedKind<KubeObject>[],
    create: (kind: CachedKind<KubeObject>) => Informer<KubeObject>,
  ) {
    for (const kind of kinds) {
      const path = kind.type.path();
      if (!this.#informers.has(path)) this.#informers.set(path, create(kind));
    }
  }

  /** The cache of `kind`; a kind no controller declared has none (a programming error). */
  of<T extends KubeObject>(kind: CachedKind<T>): Informer<T> {
    const informer = this.#informers.get(kind.type.path());
    if (!informer) throw new Error(`no controller watches ${kind.type.plural}: nothing caches them`);
    return informer as unknown as Informer<T>;
  }

  all(): Informer<KubeObject>[] {
    return [...this.#informers.values()];
  }
}
