import { trainingTags } from '@prodclass/registry/contract/mlflow-tags';
import { MlflowClient } from '@prodclass/registry/mlflow/client';

/**
 * The MLflow reads the operator makes, through the project's MLflow client with few retries: a
 * reconcile that fails is retried by the work queue with its own backoff, without holding a worker.
 */
export class MlflowRecords {
  readonly #client: MlflowClient;

  constructor(trackingUri: string) {
    this.#client = new MlflowClient(trackingUri, { timeoutMs: 10_000, retries: 1, backoffMs: 200 });
  }

  /** The version an alias points at, or undefined when the alias (or the model) does not exist. */
  async aliasVersion(registeredModel: string, alias: string): Promise<string | undefined> {
    return (await this.#client.findModelVersionByAlias(registeredModel, alias))?.version;
  }

  /** The data load a version was trained on (the tag training records), if it has one. */
  async trainingDataOf(registeredModel: string, version: string): Promise<string | undefined> {
    return (await this.#client.findModelVersion(registeredModel, version))?.tags[trainingTags.dataVersion];
  }

  async versionExists(registeredModel: string, version: string): Promise<boolean> {
    return (await this.#client.findModelVersion(registeredModel, version)) !== undefined;
  }
}
