import { calibrationMetrics, metricKey } from '@prodclass/registry/contract/metric-keys';
import { trainingTags } from '@prodclass/registry/contract/mlflow-tags';
import { MlflowClient } from '@prodclass/registry/mlflow/client';

/**
 * The MLflow reads the operator makes, through the project's MLflow client with few retries: a
 * reconcile that fails is retried by the work queue with its own backoff, without holding a worker.
 */
export interface OfflineScores {
  testAccuracy: number;
  calibrated: boolean;
}

export class MlflowRecords {
  readonly #client: MlflowClient;
  /** Test accuracies by "model/version": a version's training run never changes its metrics. */
  readonly #offlineScores = new Map<string, OfflineScores>();

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

  /**
   * A version's test accuracy and whether it serves calibrated confidences (its run logged a
   * calibration temperature: versions trained before calibration did not), if it records one.
   */
  async offlineScoresOf(registeredModel: string, version: string): Promise<OfflineScores | undefined> {
    const key = `${registeredModel}/${version}`;
    const known = this.#offlineScores.get(key);
    if (known !== undefined) return known;
    const modelVersion = await this.#client.findModelVersion(registeredModel, version);
    if (!modelVersion?.runId) return undefined;
    const { metrics } = await this.#client.getRun(modelVersion.runId);
    const testAccuracy = metrics[metricKey('test', 'accuracy')];
    if (testAccuracy === undefined) return undefined;
    const scores = { testAccuracy, calibrated: metrics[calibrationMetrics.temperature] !== undefined };
    this.#offlineScores.set(key, scores);
    return scores;
  }

  /** The version tags training recorded on a version (the promotion decision and its evidence among them). */
  async versionTagsOf(registeredModel: string, version: string): Promise<Record<string, string> | undefined> {
    return (await this.#client.findModelVersion(registeredModel, version))?.tags;
  }

  async versionExists(registeredModel: string, version: string): Promise<boolean> {
    return (await this.#client.findModelVersion(registeredModel, version)) !== undefined;
  }
}
