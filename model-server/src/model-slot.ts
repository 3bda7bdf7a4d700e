import { MlflowError } from '@prodclass/registry/mlflow/client';
import type { Classifier, ClassifierLoader } from './classifier.js';
import type { ModelCandidate, ModelSource } from './model-source.js';

export interface LoadedModel extends Omit<ModelCandidate, 'readBundle' | 'readMetrics'> {
  metrics: Record<string, number>;
  loadedAt: Date;
  classifier: Classifier;
}

export type RefreshResult = { outcome: 'loaded' | 'unchanged'; model: LoadedModel };

export interface ModelSlotObserver {
  loaded(model: LoadedModel, previous: LoadedModel | undefined): void;
  loadFailed(error: Error): void;
}

export class ModelLoadError extends Error {
  constructor(message: string, options: { cause: unknown }) {
    super(message, options);
    this.name = 'ModelLoadError';
  }
}

function describe(candidate: ModelCandidate): string {
  return `${candidate.name} version ${candidate.version} (${candidate.location})`;
}

/**
 * Holds the model being served and replaces it when its source names another one. A request
 * reads `current` once, so a swap never mixes two models in one answer; a load that fails
 * leaves the current model in place. Refreshes run one at a time.
 */
export class ModelSlot {
  #current: LoadedModel | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  #pollTimer: NodeJS.Timeout | undefined;
  #registryReachable: boolean | undefined;
  #lastFailure: { at: Date; message: string } | undefined;

  constructor(
    private readonly source: ModelSource,
    private readonly loadClassifier: ClassifierLoader,
    private readonly observer: ModelSlotObserver,
  ) {}

  get current(): LoadedModel | undefined {
    return this.#current;
  }

  /** Whether the last registry call succeeded; undefined when the source is not MLflow. */
  get registryReachable(): boolean | undefined {
    return this.#registryReachable;
  }

  /** The last refresh's failure, cleared by the next refresh that succeeds. */
  get lastFailure(): { at: Date; message: string } | undefined {
    return this.#lastFailure;
  }

  /** Loads the model the source names if it differs from the current one (always, when forced). */
  refresh({ force = false }: { force?: boolean } = {}): Promise<RefreshResult> {
    const next = this.#queue.then(() => this.#refresh(force));
    this.#queue = next.catch(() => undefined);
    return next;
  }

  startPolling(intervalMs: number): void {
    const poll = () => {
      this.refresh()
        .catch(() => undefined)
        .finally(() => {
          if (this.#pollTimer) this.#pollTimer = setTimeout(poll, intervalMs).unref();
        });
    };
    this.#pollTimer = setTimeout(poll, intervalMs).unref();
  }

  stopPolling(): void {
    clearTimeout(this.#pollTimer);
    this.#pollTimer = undefined;
  }

  async #refresh(force: boolean): Promise<RefreshResult> {
    try {
      const candidate = await this.source.resolve();
      if (this.source.usesMlflow) this.#registryReachable = true;
      const current = this.#current;
      if (!force && current?.name === candidate.name && current.version === candidate.version) {
        this.#lastFailure = undefined;
        return { outcome: 'unchanged', model: current };
      }
      const model = await this.#load(candidate);
      this.#current = model;
      this.#lastFailure = undefined;
      this.observer.loaded(model, current);
      return { outcome: 'loaded', model };
    } catch (error) {
      const mlflowError = [error, (error as Error).cause].find((item) => item instanceof MlflowError);
      if (mlflowError) this.#registryReachable = mlflowError.status !== undefined;
      this.#lastFailure = { at: new Date(), message: (error as Error).message };
      this.observer.loadFailed(error as Error);
      throw error;
    }
  }

  async #load(candidate: ModelCandidate): Promise<LoadedModel> {
    let classifier: Classifier;
    try {
      classifier = this.loadClassifier(await candidate.readBundle());
    } catch (error) {
      throw new ModelLoadError(`cannot load ${describe(candidate)}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    return {
      name: candidate.name,
      version: candidate.version,
      alias: candidate.alias,
      location: candidate.location,
      runId: candidate.runId,
      tags: candidate.tags,
      metrics: await candidate.readMetrics(),
      loadedAt: new Date(),
      classifier,
    };
  }
}
