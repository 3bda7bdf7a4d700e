import { promotionTags, trainingRunTag, trainingTags } from '@prodclass/registry/contract/mlflow-tags';
import { MlflowClient } from '@prodclass/registry/mlflow/client';

/** What a training Job left in MLflow: its run and the version it registered. */
export interface TrainingRecord {
  runId: string;
  runStatus: string;
  modelVersion?: string;
  /** The load the run trained on (the data_loads name `latest` resolved to). */
  dataLoad?: string;
  metrics: Record<string, number>;
}

/**
 * The MLflow reads the operator makes, through the project's MLflow client with few retries: a
 * reconcile that fails is retried by the work queue with its own backoff, without holding a worker.
 */
export class MlflowRecords {
  readonly #client: MlflowClient;

  constructor(trackingUri: string) {
    this.#client = new MlflowClient(trackingUri, { timeoutMs: 10_000, retries: 1, backoffMs: 200 });
  }

  /**
   * The run a training Job logged for the TrainingRun `namespace/name` (found by its tag),
   * preferring a finished one. Undefined when there is none (yet).
   */
  async trainingRecord(experiment: string, trainingRun: string): Promise<TrainingRecord | undefined> {
    const experimentId = await this.#client.findExperimentId(experiment);
    if (!experimentId) return undefined;
    const runs = await this.#client.searchRuns(
      [experimentId],
      `tags."${trainingRunTag}" = '${trainingRun.replaceAll("'", "\\'")}'`,
      10,
    );
    const run = runs.find((r) => r.status === 'FINISHED') ?? runs[0];
    if (!run) return undefined;
    return {
      runId: run.runId,
      runStatus: run.status,
      modelVersion: run.tags[trainingTags.modelVersion],
      dataLoad: run.tags[trainingTags.dataVersion],
      metrics: run.metrics,
    };
  }

  /** The promotion decision the training Job recorded on the version's tags, if any. */
  async decisionOf(
    registeredModel: string,
    version: string,
  ): Promise<{ decision: 'promote' | 'reject'; reason: string } | undefined> {
    const tags = (await this.#client.findModelVersion(registeredModel, version))?.tags ?? {};
    const decision = tags[promotionTags.decision];
    if (decision !== 'promote' && decision !== 'reject') return undefined;
    return { decision, reason: tags[promotionTags.reason] ?? '' };
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
