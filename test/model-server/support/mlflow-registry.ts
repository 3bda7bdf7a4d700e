import { randomUUID } from 'node:crypto';
import { MlflowClient } from '@prodclass/registry/mlflow/client';
import { mlmodelYaml, modelDirectory } from '@prodclass/registry/model-directory';
import { stackEnv } from '../../support/stack-env.js';

/**
 * A registered model laid out as the trainer registers one: each version's source is a run's
 * `model` artifact directory holding `MLmodel` and `model.bundle`.
 */
export class TestRegistry {
  readonly name = `rakuten_classifier_test_${randomUUID().slice(0, 8)}`;
  readonly #mlflow = new MlflowClient(stackEnv().MLFLOW_TRACKING_URI);
  #experimentId: string | undefined;

  async createModel(): Promise<void> {
    this.#experimentId = await this.#mlflow.experimentId(`${this.name}_runs`);
    await this.#mlflow.ensureRegisteredModel(this.name);
  }

  /** Logs a run with the bundle and metrics, registers its model directory, waits for READY. */
  async addVersion(bundle: Uint8Array, metrics: Record<string, number> = {}): Promise<string> {
    if (!this.#experimentId) throw new Error('call createModel() first');
    const run = await this.#mlflow.createRun(this.#experimentId, `${this.name}_run`);
    await this.#mlflow.logBatch(run.runId, {
      metrics: Object.entries(metrics).map(([key, value]) => ({ key, value })),
    });
    const { path, bundle: bundleFile, mlmodel } = modelDirectory;
    await this.#mlflow.uploadArtifact(
      run,
      `${path}/${mlmodel}`,
      Buffer.from(mlmodelYaml(run.runId, 1)),
      'text/yaml',
    );
    await this.#mlflow.uploadArtifact(run, `${path}/${bundleFile}`, bundle, 'application/octet-stream');
    const { version } = await this.#mlflow.createModelVersion({
      name: this.name,
      source: `${run.artifactUri}/${path}`,
      runId: run.runId,
    });
    await this.#mlflow.waitUntilModelVersionReady(this.name, version);
    return version;
  }

  async setAlias(alias: string, version: string): Promise<void> {
    await this.#mlflow.setAlias(this.name, alias, version);
  }
}
