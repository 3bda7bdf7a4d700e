import type { Logger } from '@prodclass/kube/log';
import { controllerKey, type KubeObject, keyOf } from '@prodclass/kube/objects';
import { Controller } from '../controller.js';
import type { OperatorMetrics } from '../metrics.js';
import type { CachedKind } from './caches.js';
import type { ControllerDescription } from './controller-description.js';
import type { ReconcileContext } from './reconcile-context.js';

/** Every kind the controllers reconcile, own or watch: what the operator caches. */
export function kindsOf(descriptions: readonly ControllerDescription[]): CachedKind<KubeObject>[] {
  return descriptions.flatMap((description) => [
    description.for,
    ...description.owns,
    ...description.watches.map((watched) => watched.kind),
  ]);
}

/**
 * Runs the described controllers: one work queue and its workers each, fed by the cache events
 * their descriptions name. Queued keys wait until `start` (only the leader reconciles).
 */
export class Manager {
  readonly #running: { description: ControllerDescription; controller: Controller }[];

  constructor(
    descriptions: readonly ControllerDescription[],
    private readonly ctx: ReconcileContext,
    options: { concurrency: number; metrics: OperatorMetrics; log: Logger },
  ) {
    this.#running = descriptions.map((description) => {
      const controller = new Controller(
        description.for.type.kind,
        (key, log) => description.reconcile(ctx, key, log),
        options,
      );
      this.#route(description, controller);
      return { description, controller };
    });
  }

  #route(description: ControllerDescription, controller: Controller): void {
    const { caches } = this.ctx;
    const kind = description.for.type.kind;
    caches.of(description.for).on((_event, object) => controller.enqueue(keyOf(object)));
    for (const owned of description.owns)
      caches.of(owned).on((_event, child) => {
        const owner = controllerKey(child, kind);
        if (owner) controller.enqueue(owner);
      });
    for (const watched of description.watches)
      caches.of(watched.kind).on((_event, object) => {
        for (const key of watched.keysFor(object, caches)) controller.enqueue(key);
      });
  }

  /** Starts the workers and queues every object of each controller's kind once. */
  start(): void {
    for (const { description, controller } of this.#running) {
      controller.start();
      for (const object of this.ctx.caches.of(description.for).list()) controller.enqueue(keyOf(object));
    }
  }

  /** Lets in-flight reconciles finish and stops the workers. */
  async stop(): Promise<void> {
    await Promise.all(this.#running.map(({ controller }) => controller.stop()));
  }
}
