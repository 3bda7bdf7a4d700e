import { randomUUID } from 'node:crypto';
import { stackEnv } from '../../support/stack-env.js';

async function call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const url = new URL(`/api/2.0/mlflow/${path}`, stackEnv().MLFLOW_TRACKING_URI);
  const response = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  }).catch((error: Error) => {
    throw new Error(`MLflow at ${url.origin} is unreachable: ${error.message}`);
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`MLflow ${method} ${path}: ${response.status} ${text}`);
  return JSON.parse(text) as T;
}

async function putArtifact(artifactUri: string, content: Uint8Array): Promise<void> {
  const path = artifactUri.replace(/^mlflow-artifacts:\/*/, '');
  const url = new URL(`/api/2.0/mlflow-artifacts/artifacts/${path}`, stackEnv().MLFLOW_TRACKING_URI);
  const response = await fetch(url, { method: 'PUT', body: content });
  if (!response.ok) throw new Error(`MLflow PUT ${path}: ${response.status} ${await response.text()}`);
}

/**
 * A registered model laid out as the trainer registers one: each version's source is a run's
 * `model` artifact directory holding `MLmodel` and `model.bundle`.
 */
export class TestRegistry {
  readonly name = `rakuten_classifier_test_${randomUUID().slice(0, 8)}`;
  #experimentId: string | undefined;

  async createModel(): Promise<void> {
    const { experiment_id } = await call<{ experiment_id: string }>('POST', 'experiments/create', {
      name: `${this.name}_runs`,
    });
    this.#experimentId = experiment_id;
    await call('POST', 'registered-models/create', { name: this.name });
  }

  /** Logs a run with the bundle and metrics, registers its model directory, waits for READY. */
  async addVersion(bundle: Uint8Array, metrics: Record<string, number> = {}): Promise<string> {
    if (!this.#experimentId) throw new Error('call createModel() first');
    const { run } = await call<{ run: { info: { run_id: string; artifact_uri: string } } }>(
      'POST',
      'runs/create',
      { experiment_id: this.#experimentId, start_time: Date.now() },
    );
    const runId = run.info.run_id;
    await call('POST', 'runs/log-batch', {
      run_id: runId,
      metrics: Object.entries(metrics).map(([key, value]) => ({
        key,
        value,
        timestamp: Date.now(),
        step: 0,
      })),
    });
    const source = `${run.info.artifact_uri}/model`;
    const mlmodel = `artifact_path: model\nflavors:\n  prodclass:\n    bundle: model.bundle\nrun_id: ${runId}\nutc_time_created: '${new Date().toISOString()}'\nmodel_uuid: ${randomUUID().replaceAll('-', '')}\n`;
    await putArtifact(`${source}/MLmodel`, new TextEncoder().encode(mlmodel));
    await putArtifact(`${source}/model.bundle`, bundle);
    const { model_version } = await call<{ model_version: { version: string } }>(
      'POST',
      'model-versions/create',
      {
        name: this.name,
        source,
        run_id: runId,
      },
    );
    for (const deadline = Date.now() + 30_000; ; ) {
      const query = new URLSearchParams({ name: this.name, version: model_version.version });
      const { model_version: current } = await call<{ model_version: { status: string } }>(
        'GET',
        `model-versions/get?${query}`,
      );
      if (current.status === 'READY') return model_version.version;
      if (Date.now() > deadline) throw new Error(`model version ${model_version.version} never became READY`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  async setAlias(alias: string, version: string): Promise<void> {
    await call('POST', 'registered-models/alias', { name: this.name, alias, version });
  }
}
