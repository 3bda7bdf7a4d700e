import { setTimeout as sleep } from 'node:timers/promises';

/**
 * The MLflow REST client: experiments, runs, batched logging, dataset inputs, artifacts through
 * the tracking server's proxy (`--serve-artifacts`), and the model registry with aliases.
 * Transient failures (unreachable server, 429, 5xx) are retried with exponential backoff, a
 * bounded number of times; everything else fails at once with MLflow's own message.
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

export interface RunDetails extends MlflowRun {
  runName: string;
  status: RunStatus;
  params: Record<string, string>;
  /** The latest value of each metric. */
  metrics: Record<string, number>;
  tags: Record<string, string>;
}

/** A registered model version as the MLflow registry describes it. */
export interface RegisteredModelVersion {
  name: string;
  version: string;
  /** Where the model's files are, e.g. `mlflow-artifacts:/1/<run_id>/artifacts/model`. */
  source: string;
  runId: string | undefined;
  status: string;
  tags: Record<string, string>;
  aliases: string[];
  createdAt: Date;
}

/** A dataset used by a run, as `runs/log-inputs` records it. */
export interface DatasetInput {
  name: string;
  digest: string;
  sourceType: string;
  source: string;
  schema?: string;
  profile?: string;
  context: 'training' | 'evaluation' | string;
}

export interface MlflowClientOptions {
  /** Per request. */
  timeoutMs?: number;
  /** Retries of a transient failure before giving up. */
  retries?: number;
  /** First backoff; doubles on each retry. */
  backoffMs?: number;
}

/** MLflow accepts at most this many of each per log-batch call. */
const batchLimits = { params: 100, metrics: 1000, tags: 100 };

/** An MLflow call that failed; `status` is the HTTP status when the server answered at all. */
export class MlflowError extends Error {
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly errorCode: string | undefined,
  ) {
    super(message);
    this.name = 'MlflowError';
  }
}

interface ModelVersionJson {
  name: string;
  version: string;
  source: string;
  run_id?: string;
  status?: string;
  creation_timestamp?: string | number;
  tags?: { key: string; value: string }[];
  aliases?: string[];
}

interface RunJson {
  info: { run_id: string; experiment_id: string; artifact_uri: string; run_name?: string; status: RunStatus };
  data: { params?: MlflowParam[]; metrics?: { key: string; value: number }[]; tags?: MlflowParam[] };
}

const toRecord = (pairs: { key: string; value: string }[] = []) =>
  Object.fromEntries(pairs.map(({ key, value }) => [key, value]));

function toModelVersion(json: ModelVersionJson): RegisteredModelVersion {
  return {
    name: json.name,
    version: json.version,
    source: json.source,
    runId: json.run_id || undefined,
    status: json.status ?? 'READY',
    tags: toRecord(json.tags),
    aliases: json.aliases ?? [],
    createdAt: new Date(Number(json.creation_timestamp ?? 0)),
  };
}

function toRunDetails(json: RunJson): RunDetails {
  return {
    runId: json.info.run_id,
    experimentId: json.info.experiment_id,
    artifactUri: json.info.artifact_uri,
    runName: json.info.run_name ?? '',
    status: json.info.status,
    params: toRecord(json.data.params),
    metrics: Object.fromEntries((json.data.metrics ?? []).map(({ key, value }) => [key, value])),
    tags: toRecord(json.data.tags),
  };
}

/**
 * The artifact-proxy path of an `mlflow-artifacts:` URI, with or without an authority
 * (`mlflow-artifacts:/1/r/artifacts/model`, `mlflow-artifacts://host:5000/1/r/artifacts/model`).
 */
export function artifactProxyPath(artifactUri: string): string {
  const match = /^mlflow-artifacts:(?:\/\/[^/]*)?\/?(.*)$/.exec(artifactUri);
  if (!match?.[1]) {
    throw new MlflowError(
      `cannot reach ${artifactUri}: only mlflow-artifacts: URIs served by the tracking server are supported (start MLflow with --serve-artifacts)`,
      undefined,
      undefined,
    );
  }
  return match[1]
    .split('/')
    .filter((segment) => segment !== '')
    .map(encodeURIComponent)
    .join('/');
}

/** MLflow's answer when the thing asked for does not exist. */
export const isMissing = (error: unknown) =>
  error instanceof MlflowError && (error.errorCode === 'RESOURCE_DOES_NOT_EXIST' || error.status === 404);

const isTransient = (status: number | undefined) => status === undefined || status === 429 || status >= 500;

export class MlflowClient {
  readonly #timeoutMs: number;
  readonly #retries: number;
  readonly #backoffMs: number;

  constructor(
    readonly trackingUri: string,
    { timeoutMs = 30_000, retries = 4, backoffMs = 500 }: MlflowClientOptions = {},
  ) {
    this.#timeoutMs = timeoutMs;
    this.#retries = retries;
    this.#backoffMs = backoffMs;
  }

  /** One HTTP exchange with retries; `what` names the call in errors. */
  async #send(path: string, init: RequestInit, what: string): Promise<Response> {
    const url = new URL(path, this.trackingUri.endsWith('/') ? this.trackingUri : `${this.trackingUri}/`);
    for (let attempt = 0; ; attempt++) {
      let failure: MlflowError;
      try {
        const response = await fetch(url, { ...init, signal: AbortSignal.timeout(this.#timeoutMs) });
        if (response.ok) return response;
        const text = await response.text();
        let parsed: { error_code?: string; message?: string } = {};
        try {
          parsed = JSON.parse(text);
        } catch {}
        failure = new MlflowError(
          `MLflow ${what} failed (${response.status}): ${parsed.message ?? text.slice(0, 300)}`,
          response.status,
          parsed.error_code,
        );
      } catch (error) {
        failure = new MlflowError(
          `MLflow at ${url.origin} is unreachable (${what}): ${(error as Error).message}`,
          undefined,
          undefined,
        );
      }
      if (!isTransient(failure.status) || attempt >= this.#retries) {
        if (attempt > 0) failure.message += ` (after ${attempt + 1} attempts)`;
        throw failure;
      }
      await sleep(this.#backoffMs * 2 ** attempt);
    }
  }

  async #call<T>(
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    body?: Record<string, unknown>,
  ): Promise<T> {
    // MLflow reads GET parameters from the query string and everything else from a JSON body.
    const query = method === 'GET' && body ? `?${new URLSearchParams(body as Record<string, string>)}` : '';
    const response = await this.#send(
      `api/2.0/mlflow/${path}${query}`,
      method === 'GET'
        ? { method }
        : { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}) },
      path,
    );
    const text = await response.text();
    return (text === '' ? {} : JSON.parse(text)) as T;
  }

  // Experiments and runs

  /** The id of the experiment `name`, or undefined when there is none. */
  async findExperimentId(name: string): Promise<string | undefined> {
    try {
      const found = await this.#call<{ experiment: { experiment_id: string } }>(
        'GET',
        'experiments/get-by-name',
        {
          experiment_name: name,
        },
      );
      return found.experiment.experiment_id;
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  /** The id of the experiment `name`, created if it does not exist yet (also under a race). */
  async experimentId(name: string): Promise<string> {
    const existing = await this.findExperimentId(name);
    if (existing) return existing;
    try {
      const created = await this.#call<{ experiment_id: string }>('POST', 'experiments/create', { name });
      return created.experiment_id;
    } catch (error) {
      if (error instanceof MlflowError && error.errorCode === 'RESOURCE_ALREADY_EXISTS') {
        const raced = await this.findExperimentId(name);
        if (raced) return raced;
      }
      throw error;
    }
  }

  async createRun(
    experimentId: string,
    runName: string,
    tags: Record<string, string> = {},
  ): Promise<MlflowRun> {
    const { run } = await this.#call<{ run: RunJson }>('POST', 'runs/create', {
      experiment_id: experimentId,
      run_name: runName,
      start_time: Date.now(),
      tags: Object.entries(tags).map(([key, value]) => ({ key, value })),
    });
    return { runId: run.info.run_id, experimentId, artifactUri: run.info.artifact_uri };
  }

  async getRun(runId: string): Promise<RunDetails> {
    const { run } = await this.#call<{ run: RunJson }>('GET', 'runs/get', { run_id: runId });
    return toRunDetails(run);
  }

  /** Runs of the given experiments matching an MLflow filter string, newest first. */
  async searchRuns(experimentIds: string[], filter: string, maxResults = 100): Promise<RunDetails[]> {
    const { runs = [] } = await this.#call<{ runs?: RunJson[] }>('POST', 'runs/search', {
      experiment_ids: experimentIds,
      filter,
      max_results: maxResults,
      order_by: ['attributes.start_time DESC'],
    });
    return runs.map(toRunDetails);
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
      await this.#call('POST', 'runs/log-batch', {
        run_id: runId,
        params: params.slice(call * batchLimits.params, (call + 1) * batchLimits.params),
        metrics: metrics
          .slice(call * batchLimits.metrics, (call + 1) * batchLimits.metrics)
          .map((metric) => ({ key: metric.key, value: metric.value, step: metric.step ?? 0, timestamp })),
        tags: tags.slice(call * batchLimits.tags, (call + 1) * batchLimits.tags),
      });
    }
  }

  async setRunTag(runId: string, key: string, value: string): Promise<void> {
    await this.#call('POST', 'runs/set-tag', { run_id: runId, key, value });
  }

  /**
   * Records the datasets a run used (MLflow's dataset lineage). Two runs logging a new dataset at
   * once race in MLflow's store (each finds it missing, both insert it, the second insert fails
   * with a 400 naming the unique violation): the loser asks again, and finds the dataset then.
   */
  async logInputs(runId: string, datasets: DatasetInput[]): Promise<void> {
    try {
      await this.#logInputs(runId, datasets);
    } catch (error) {
      if (
        !(
          error instanceof MlflowError &&
          error.status === 400 &&
          /UniqueViolation|unique constraint/i.test(error.message)
        )
      )
        throw error;
      await this.#logInputs(runId, datasets);
    }
  }

  async #logInputs(runId: string, datasets: DatasetInput[]): Promise<void> {
    await this.#call('POST', 'runs/log-inputs', {
      run_id: runId,
      datasets: datasets.map(({ context, ...dataset }) => ({
        tags: [{ key: 'mlflow.data.context', value: context }],
        dataset: {
          name: dataset.name,
          digest: dataset.digest,
          source_type: dataset.sourceType,
          source: dataset.source,
          ...(dataset.schema ? { schema: dataset.schema } : {}),
          ...(dataset.profile ? { profile: dataset.profile } : {}),
        },
      })),
    });
  }

  async endRun(runId: string, status: Exclude<RunStatus, 'RUNNING'>): Promise<void> {
    await this.#call('POST', 'runs/update', { run_id: runId, status, end_time: Date.now() });
  }

  // Artifacts

  /** Uploads one artifact of a run (its artifact URI must be `mlflow-artifacts:/...`). */
  async uploadArtifact(
    run: MlflowRun,
    artifactPath: string,
    content: Uint8Array,
    contentType: string,
  ): Promise<void> {
    await this.#send(
      `api/2.0/mlflow-artifacts/artifacts/${artifactProxyPath(`${run.artifactUri}/${artifactPath}`)}`,
      { method: 'PUT', headers: { 'content-type': contentType }, body: content },
      `upload of ${artifactPath}`,
    );
  }

  /** The bytes of one artifact file, e.g. `<version source>/model.bundle`. */
  async downloadArtifact(artifactUri: string): Promise<Buffer> {
    const response = await this.#send(
      `api/2.0/mlflow-artifacts/artifacts/${artifactProxyPath(artifactUri)}`,
      { method: 'GET' },
      `download of ${artifactUri}`,
    );
    return Buffer.from(await response.arrayBuffer());
  }

  /** The file and directory names directly under an artifact directory. */
  async listArtifacts(artifactUri: string): Promise<{ path: string; isDir: boolean }[]> {
    const response = await this.#send(
      `api/2.0/mlflow-artifacts/artifacts?${new URLSearchParams({ path: decodeURIComponent(artifactProxyPath(artifactUri)) })}`,
      { method: 'GET' },
      `listing of ${artifactUri}`,
    );
    const { files = [] } = (await response.json()) as { files?: { path: string; is_dir?: boolean }[] };
    return files.map((file) => ({ path: file.path, isDir: file.is_dir === true }));
  }

  // Model registry

  /** Creates the registered model unless it exists. */
  async ensureRegisteredModel(name: string, description = ''): Promise<void> {
    try {
      await this.#call('POST', 'registered-models/create', { name, description });
    } catch (error) {
      if (!(error instanceof MlflowError) || error.errorCode !== 'RESOURCE_ALREADY_EXISTS') throw error;
    }
  }

  async createModelVersion(request: {
    name: string;
    source: string;
    runId: string;
    tags?: Record<string, string>;
    description?: string;
  }): Promise<RegisteredModelVersion> {
    const { model_version } = await this.#call<{ model_version: ModelVersionJson }>(
      'POST',
      'model-versions/create',
      {
        name: request.name,
        source: request.source,
        run_id: request.runId,
        description: request.description ?? '',
        tags: Object.entries(request.tags ?? {}).map(([key, value]) => ({ key, value })),
      },
    );
    return toModelVersion(model_version);
  }

  async deleteModelVersion(name: string, version: string): Promise<void> {
    await this.#call('DELETE', 'model-versions/delete', { name, version });
  }

  /** Polls a new version until the registry reports it READY; FAILED_REGISTRATION is an error. */
  async waitUntilModelVersionReady(
    name: string,
    version: string,
    timeoutMs = 60_000,
  ): Promise<RegisteredModelVersion> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const current = await this.modelVersion(name, version);
      if (current.status === 'READY') return current;
      if (current.status === 'FAILED_REGISTRATION')
        throw new MlflowError(`registration of ${name} version ${version} failed`, undefined, undefined);
      if (Date.now() > deadline)
        throw new MlflowError(
          `${name} version ${version} is still ${current.status} after ${timeoutMs} ms`,
          undefined,
          undefined,
        );
      await sleep(250);
    }
  }

  async modelVersion(name: string, version: string): Promise<RegisteredModelVersion> {
    const { model_version } = await this.#call<{ model_version: ModelVersionJson }>(
      'GET',
      'model-versions/get',
      {
        name,
        version,
      },
    );
    return toModelVersion(model_version);
  }

  /** Every version of a registered model. */
  async modelVersions(name: string): Promise<RegisteredModelVersion[]> {
    const { model_versions = [] } = await this.#call<{ model_versions?: ModelVersionJson[] }>(
      'GET',
      'model-versions/search',
      { filter: `name='${name.replaceAll("'", "\\'")}'`, max_results: '1000' },
    );
    return model_versions.map(toModelVersion);
  }

  /** The version an alias points at. */
  async modelVersionByAlias(name: string, alias: string): Promise<RegisteredModelVersion> {
    const { model_version } = await this.#call<{ model_version: ModelVersionJson }>(
      'GET',
      'registered-models/alias',
      { name, alias },
    );
    return toModelVersion(model_version);
  }

  /** Like modelVersionByAlias, but undefined when the alias (or the model) does not exist. */
  async findModelVersionByAlias(name: string, alias: string): Promise<RegisteredModelVersion | undefined> {
    try {
      return await this.modelVersionByAlias(name, alias);
    } catch (error) {
      // MLflow answers an unknown alias of an existing model with 400 INVALID_PARAMETER_VALUE.
      const unknownAlias =
        error instanceof MlflowError &&
        error.errorCode === 'INVALID_PARAMETER_VALUE' &&
        /alias .* not found/i.test(error.message);
      if (isMissing(error) || unknownAlias) return undefined;
      throw error;
    }
  }

  /** Like modelVersion, but undefined when the version (or the model) does not exist. */
  async findModelVersion(name: string, version: string): Promise<RegisteredModelVersion | undefined> {
    try {
      return await this.modelVersion(name, version);
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async setAlias(name: string, alias: string, version: string): Promise<void> {
    await this.#call('POST', 'registered-models/alias', { name, alias, version });
  }

  async setModelVersionTag(name: string, version: string, key: string, value: string): Promise<void> {
    await this.#call('POST', 'model-versions/set-tag', { name, version, key, value });
  }

  /** Moves a version to a legacy registry stage, for servers that still use stages. */
  async transitionStage(name: string, version: string, stage: string): Promise<void> {
    await this.#call('POST', 'model-versions/transition-stage', {
      name,
      version,
      stage,
      archive_existing_versions: false,
    });
  }
}
