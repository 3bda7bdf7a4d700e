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

/** An MLflow call that failed; `status` is the HTTP status when the server answered at all. */
export class MlflowRequestError extends Error {
  constructor(
    message: string,
    readonly status: number | undefined,
  ) {
    super(message);
    this.name = 'MlflowRequestError';
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

function toModelVersion(json: ModelVersionJson): RegisteredModelVersion {
  return {
    name: json.name,
    version: json.version,
    source: json.source,
    runId: json.run_id || undefined,
    status: json.status ?? 'READY',
    tags: Object.fromEntries((json.tags ?? []).map(({ key, value }) => [key, value])),
    aliases: json.aliases ?? [],
    createdAt: new Date(Number(json.creation_timestamp ?? 0)),
  };
}

/**
 * The artifact-proxy path of an `mlflow-artifacts:` URI, with or without an authority
 * (`mlflow-artifacts:/1/r/artifacts/model`, `mlflow-artifacts://host:5000/1/r/artifacts/model`).
 */
export function artifactProxyPath(artifactUri: string): string {
  const match = /^mlflow-artifacts:(?:\/\/[^/]*)?\/?(.*)$/.exec(artifactUri);
  if (!match?.[1]) {
    throw new MlflowRequestError(
      `cannot download ${artifactUri}: only mlflow-artifacts: URIs served by the tracking server are supported`,
      undefined,
    );
  }
  return match[1]
    .split('/')
    .filter((segment) => segment !== '')
    .map(encodeURIComponent)
    .join('/');
}

/** Read-only calls to the MLflow model registry and its artifact proxy. */
export class RegistryReader {
  readonly #baseUrl: string;
  readonly #timeoutMs: number;

  constructor(trackingUri: string, { timeoutMs = 10_000 }: { timeoutMs?: number } = {}) {
    this.#baseUrl = trackingUri.endsWith('/') ? trackingUri : `${trackingUri}/`;
    this.#timeoutMs = timeoutMs;
  }

  async modelVersionByAlias(name: string, alias: string): Promise<RegisteredModelVersion> {
    const query = new URLSearchParams({ name, alias });
    const body = await this.#getJson<{ model_version: ModelVersionJson }>(
      `api/2.0/mlflow/registered-models/alias?${query}`,
      `alias ${name}@${alias}`,
    );
    return toModelVersion(body.model_version);
  }

  async modelVersion(name: string, version: string): Promise<RegisteredModelVersion> {
    const query = new URLSearchParams({ name, version });
    const body = await this.#getJson<{ model_version: ModelVersionJson }>(
      `api/2.0/mlflow/model-versions/get?${query}`,
      `model version ${name}/${version}`,
    );
    return toModelVersion(body.model_version);
  }

  /** The latest value of each metric the run logged. */
  async runMetrics(runId: string): Promise<Record<string, number>> {
    const body = await this.#getJson<{ run: { data: { metrics?: { key: string; value: number }[] } } }>(
      `api/2.0/mlflow/runs/get?${new URLSearchParams({ run_id: runId })}`,
      `run ${runId}`,
    );
    return Object.fromEntries((body.run.data.metrics ?? []).map(({ key, value }) => [key, value]));
  }

  /** The bytes of one artifact file, e.g. `<version source>/model.bundle`. */
  async downloadArtifact(artifactUri: string): Promise<Buffer> {
    const response = await this.#fetch(
      `api/2.0/mlflow-artifacts/artifacts/${artifactProxyPath(artifactUri)}`,
      `artifact ${artifactUri}`,
    );
    return Buffer.from(await response.arrayBuffer());
  }

  async #getJson<T>(path: string, what: string): Promise<T> {
    const response = await this.#fetch(path, what);
    return (await response.json()) as T;
  }

  async #fetch(path: string, what: string): Promise<Response> {
    const url = new URL(path, this.#baseUrl);
    let response: Response | undefined;
    // Every call is a GET, so one retry is safe; it covers a kept-alive connection the server
    // closed while this process was busy.
    for (let attempt = 1; !response; attempt++) {
      try {
        response = await fetch(url, { signal: AbortSignal.timeout(this.#timeoutMs) });
      } catch (error) {
        if (attempt < 2) continue;
        throw new MlflowRequestError(
          `MLflow at ${url.origin} is unreachable while reading ${what}: ${(error as Error).message}`,
          undefined,
        );
      }
    }
    if (!response.ok) {
      const detail = (await response.text()).slice(0, 300);
      throw new MlflowRequestError(
        `MLflow answered ${response.status} reading ${what}: ${detail}`,
        response.status,
      );
    }
    return response;
  }
}
