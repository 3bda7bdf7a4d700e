/**
 * A small MLflow REST client: experiments, runs, batched logging and artifact upload through
 * the tracking server's artifact proxy (`--serve-artifacts`).
 */
export interface MlflowParam {
  key: string;
  value: string;
}

export interface MlflowMetric {
  key: string;
  value: number;
  step?: number;
}

export interface MlflowRun {
  runId: string;
  experimentId: string;
  artifactUri: string;
}

export type RunStatus = 'RUNNING' | 'FINISHED' | 'FAILED' | 'KILLED';

/** MLflow accepts at most this many of each per log-batch call. */
const batchLimits = { params: 100, metrics: 1000, tags: 100 };

export class MlflowError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly errorCode: string | undefined,
  ) {
    super(message);
    this.name = 'MlflowError';
  }
}

export class MlflowClient {
  constructor(readonly trackingUri: string) {}

  private async request<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const url = new URL(`/api/2.0/mlflow/${path}`, this.trackingUri);
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      throw new Error(`MLflow at ${this.trackingUri} is unreachable: ${(error as Error).message}`);
    }
    const text = await response.text();
    if (!response.ok) {
      let parsed: { error_code?: string; message?: string } = {};
      try {
        parsed = JSON.parse(text);
      } catch {}
      throw new MlflowError(
        `MLflow ${path} failed (${response.status}): ${parsed.message ?? text.slice(0, 200)}`,
        response.status,
        parsed.error_code,
      );
    }
    return (text === '' ? {} : JSON.parse(text)) as T;
  }

  /** The id of the experiment `name`, created if it does not exist yet (also under a race). */
  async experimentId(name: string): Promise<string> {
    const find = () =>
      this.request<{ experiment: { experiment_id: string } }>(
        'GET',
        `experiments/get-by-name?experiment_name=${encodeURIComponent(name)}`,
      ).then((found) => found.experiment.experiment_id);
    try {
      return await find();
    } catch (error) {
      if (!(error instanceof MlflowError) || error.errorCode !== 'RESOURCE_DOES_NOT_EXIST') throw error;
    }
    try {
      const created = await this.request<{ experiment_id: string }>('POST', 'experiments/create', { name });
      return created.experiment_id;
    } catch (error) {
      if (error instanceof MlflowError && error.errorCode === 'RESOURCE_ALREADY_EXISTS') return find();
      throw error;
    }
  }

  async createRun(
    experimentId: string,
    runName: string,
    tags: Record<string, string> = {},
  ): Promise<MlflowRun> {
    const { run } = await this.request<{ run: { info: { run_id: string; artifact_uri: string } } }>(
      'POST',
      'runs/create',
      {
        experiment_id: experimentId,
        run_name: runName,
        start_time: Date.now(),
        tags: Object.entries(tags).map(([key, value]) => ({ key, value })),
      },
    );
    return { runId: run.info.run_id, experimentId, artifactUri: run.info.artifact_uri };
  }

  /** Logs params, metrics and tags, split into as many log-batch calls as MLflow's limits need. */
  async logBatch(
    runId: string,
    {
      params = [],
      metrics = [],
      tags = [],
    }: { params?: MlflowParam[]; metrics?: MlflowMetric[]; tags?: MlflowParam[] },
  ): Promise<void> {
    const timestamp = Date.now();
    const calls = Math.max(
      Math.ceil(params.length / batchLimits.params),
      Math.ceil(metrics.length / batchLimits.metrics),
      Math.ceil(tags.length / batchLimits.tags),
    );
    for (let call = 0; call < calls; call++) {
      await this.request('POST', 'runs/log-batch', {
        run_id: runId,
        params: params.slice(call * batchLimits.params, (call + 1) * batchLimits.params),
        metrics: metrics
          .slice(call * batchLimits.metrics, (call + 1) * batchLimits.metrics)
          .map((metric) => ({ key: metric.key, value: metric.value, step: metric.step ?? 0, timestamp })),
        tags: tags.slice(call * batchLimits.tags, (call + 1) * batchLimits.tags),
      });
    }
  }

  /** Uploads one artifact of a run (its artifact URI must be `mlflow-artifacts:/...`). */
  async uploadArtifact(
    run: MlflowRun,
    artifactPath: string,
    content: Uint8Array,
    contentType: string,
  ): Promise<void> {
    const prefix = 'mlflow-artifacts:/';
    if (!run.artifactUri.startsWith(prefix))
      throw new Error(
        `run ${run.runId} stores artifacts at ${run.artifactUri}; start MLflow with --serve-artifacts`,
      );
    const location = `${run.artifactUri.slice(prefix.length).replace(/^\/+/, '')}/${artifactPath}`;
    const url = new URL(`/api/2.0/mlflow-artifacts/artifacts/${location}`, this.trackingUri);
    const response = await fetch(url, {
      method: 'PUT',
      headers: { 'content-type': contentType },
      body: content,
    });
    if (!response.ok)
      throw new MlflowError(
        `uploading ${artifactPath} to MLflow failed (${response.status}): ${(await response.text()).slice(0, 200)}`,
        response.status,
        undefined,
      );
  }

  async endRun(runId: string, status: Exclude<RunStatus, 'RUNNING'>): Promise<void> {
    await this.request('POST', 'runs/update', { run_id: runId, status, end_time: Date.now() });
  }
}
