import {
  apiVersion,
  type DataIncrement,
  type DriftMonitor,
  dataIncrementType,
  driftMonitorType,
  type ModelPromotion,
  modelPromotionType,
  type PredictionService,
  predictionServiceType,
  type TrainingRun,
  trainingRunType,
} from '@prodclass/api/resources';
import { KubeApi } from '@prodclass/kube/api';
import type { Connection } from '@prodclass/kube/connection';
import { Informer, type InformerEvent } from '@prodclass/kube/informer';
import type { Logger } from '@prodclass/kube/log';
import type { KubeObject, ResourceType } from '@prodclass/kube/objects';

export interface ResourceChange {
  event: InformerEvent;
  kind: string;
  object: KubeObject;
}

const informerOptions = { resyncMs: 600_000, watchTimeoutSeconds: 300, stallMs: 420_000 };

/**
 * One list+watch per resource kind of the console's namespace, shared by every page and every
 * live-status stream: page loads read the caches, changes fan out to subscribers.
 */
export class ClusterView {
  readonly api: KubeApi;
  readonly dataIncrements: Informer<DataIncrement>;
  readonly trainingRuns: Informer<TrainingRun>;
  readonly modelPromotions: Informer<ModelPromotion>;
  readonly predictionServices: Informer<PredictionService>;
  /** Undefined while the API server does not serve DriftMonitor. */
  driftMonitors: Informer<DriftMonitor> | undefined;
  readonly #subscribers = new Set<(change: ResourceChange) => void>();

  constructor(
    connection: Connection,
    readonly namespace: string,
    private readonly log: Logger,
  ) {
    this.api = new KubeApi(connection);
    this.dataIncrements = this.#informer(dataIncrementType);
    this.trainingRuns = this.#informer(trainingRunType);
    this.modelPromotions = this.#informer(modelPromotionType);
    this.predictionServices = this.#informer(predictionServiceType);
  }

  #informer<T extends KubeObject>(type: ResourceType): Informer<T> {
    const informer = new Informer<T>(
      type,
      this.api,
      { ...informerOptions, namespace: this.namespace },
      this.log.child({ resource: type.plural }),
    );
    informer.on((event, object) => {
      if (event === 'resync') return;
      for (const subscriber of this.#subscribers) subscriber({ event, kind: type.kind, object });
    });
    return informer;
  }

  #all(): Informer<KubeObject>[] {
    return [
      this.dataIncrements,
      this.trainingRuns,
      this.modelPromotions,
      this.predictionServices,
      ...(this.driftMonitors ? [this.driftMonitors] : []),
    ] as Informer<KubeObject>[];
  }

  async #servesDriftMonitor(): Promise<boolean> {
    const discovery = await this.api.request<{ resources?: { name: string }[] }>(
      'GET',
      `/apis/${apiVersion}`,
    );
    return (discovery.resources ?? []).some((resource) => resource.name === driftMonitorType.plural);
  }

  /** Resolves once every cache has listed its objects. */
  async start(): Promise<void> {
    if (await this.#servesDriftMonitor()) this.driftMonitors = this.#informer(driftMonitorType);
    await Promise.all(this.#all().map((informer) => informer.start()));
  }

  async stop(): Promise<void> {
    await Promise.all(this.#all().map((informer) => informer.stop()));
  }

  get healthy(): boolean {
    return this.#all().every((informer) => informer.healthy);
  }

  subscribe(subscriber: (change: ResourceChange) => void): () => void {
    this.#subscribers.add(subscriber);
    return () => this.#subscribers.delete(subscriber);
  }

  /** Creates a custom resource in the console's namespace, with a generated name after `prefix`. */
  create<T extends KubeObject>(
    type: ResourceType,
    prefix: string,
    spec: unknown,
    annotations: Record<string, string>,
  ): Promise<T> {
    return this.api.request('POST', type.path(this.namespace), {
      body: {
        apiVersion: type.apiVersion,
        kind: type.kind,
        metadata: { generateName: `${prefix}-`, annotations },
        spec,
      },
    });
  }
}

/** Newest first, by creation time then name. */
export function newestFirst<T extends KubeObject>(objects: T[]): T[] {
  return objects.sort(
    (a, b) =>
      (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? '') ||
      b.metadata.name.localeCompare(a.metadata.name),
  );
}
