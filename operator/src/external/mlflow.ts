import { MlflowClient } from '@prodclass/core';

export const trainingRunTag = 'prodclass.dev/trainingrun';

/** What a training Job left in MLflow: its run, the version it registered and the promotion decision. */
export interface TrainingRecord {
  runId: string;
  runStatus: string;
  modelVersion?: string;
  metrics: Record<string, number>;
}

/** The MLflow calls the operator makes: finding a TrainingRun's run, reading aliases and versions. */
export class MlflowRecords {
  readonly registry: MlflowClient;

  constructor(trackingUri: string, timeoutMs = 10_000) {
    this.registry = new MlflowClient(trackingUri, { timeoutMs });
  }

  /**
   * The run a training Job logged for the TrainingRun `namespace/name` (found by its tag), preferring
   * a finished one. Undefined when there is none (yet).
   */
  async trainingRecord(experiment: string, trainingRun: string): Promise<TrainingRecord | undefined> {
    const experimentId = await this.registry.findExperimentId(experiment);
    if (!experimentId) return undefined;
    const runs = await this.registry.searchRuns(
      [experimentId],
      `tags."${trainingRunTag}" = '${trainingRun.replaceAll("'", "\\'")}'`,
      10,
    );
    const run = runs.find((r) => r.status === 'FINISHED') ?? runs[0];
    if (!run) return undefined;
    return {
      runId: run.runId,
      runStatus: run.status,
      modelVersion: run.tags['prodclass.model_version'],
      metrics: run.metrics,
    };
  }

  /** The promotion decision the training Job recorded on the version's tags, if any. */
  async decisionOf(
    registeredModel: string,
    version: string,
  ): Promise<{ decision: 'promote' | 'reject'; reason: string } | undefined> {
    const { tags } = await this.registry.modelVersion(registeredModel, version);
    const decision = tags['prodclass.promotion.decision'];
    if (decision !== 'promote' && decision !== 'reject') return undefined;
    return { decision, reason: tags['prodclass.promotion.reason'] ?? '' };
  }

  /** The version an alias points at, or undefined when the alias (or the model) does not exist. */
  async aliasVersion(registeredModel: string, alias: string): Promise<string | undefined> {
    return (await this.registry.findModelVersionByAlias(registeredModel, alias))?.version;
  }

  async versionExists(registeredModel: string, version: string): Promise<boolean> {
    return (await this.registry.findModelVersion(registeredModel, version)) !== undefined;
  }
}
