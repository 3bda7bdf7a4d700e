import { metricKey } from '@prodclass/registry/contract/metric-keys';
import { trainingTags } from '@prodclass/registry/contract/mlflow-tags';
import { MlflowClient } from '@prodclass/registry/mlflow/client';

/**
 * The MLflow reads the operator makes, through the project's MLflow client with few retries: a
 * reconcile that fails is retried by the work queue with its own backoff, without holding a worker.
 */
export class MlflowRecords {
  readonly #client: MlflowClient;
  /** Test accuracies by "model/version": a version's training run never changes its metrics. */
  readonly #testAccuracies = new Map<string, number>();

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

  /** A version's accuracy on its held-out test set (its run's test_accuracy), if it records one. */
  async testAccuracyOf(registeredModel: string, version: string): Promise<number | undefined> {
    const key = `${registeredModel}/${version}`;
    const known = this.#testAccuracies.get(key);
    if (known !== undefined) return known;
    const modelVersion = await this.#client.findModelVersion(registeredModel, version);
    if (!modelVersion?.runId) return undefined;
    const accuracy = (await this.#client.getRun(modelVersion.runId)).metrics[metricKey('test', 'accuracy')];
    if (accuracy !== undefined) this.#testAccuracies.set(key, accuracy);
    return accuracy;
  }

  async versionExists(registeredModel: string, version: string): Promise<boolean> {
    return (await this.#client.findModelVersion(registeredModel, version)) !== undefined;
  }
}
