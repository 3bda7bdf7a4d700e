export const trainingRunTag = 'prodclass.dev/trainingrun';

/** What a training Job left in MLflow: its run and the version it registered. */
export interface TrainingRecord {
  runId: string;
  runStatus: string;
  modelVersion?: string;
  /** The load the run trained on (the data_loads name `latest` resolved to). */
  dataLoad?: string;
  metrics: Record<string, number>;
}

interface RunJson {
  info: { run_id: string; status: string };
  data: { metrics?: { key: string; value: number }[]; tags?: { key: string; value: string }[] };
}

interface VersionJson {
  version: string;
  tags?: { key: string; value: string }[];
}

export class MlflowCallError extends Error {
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly errorCode: string | undefined,
  ) {
    super(message);
    this.name = 'MlflowCallError';
  }
}

/** A missing model, version or experiment, or (MLflow answers 400 for it) a missing alias. */
const isMissing = (error: unknown) =>
  error instanceof MlflowCallError &&
  (error.errorCode === 'RESOURCE_DOES_NOT_EXIST' || /alias .* not found/i.test(error.message));

/** The MLflow reads the operator makes: a TrainingRun's run, aliases, versions and their tags. */
export class MlflowRecords {
  constructor(
    private readonly trackingUri: string,
    private readonly timeoutMs = 10_000,
  ) {}

  /**
   * The run a training Job logged for the TrainingRun `namespace/name` (found by its tag),
   * preferring a finished one. Undefined when there is none (yet).
   */
  async trainingRecord(experiment: string, trainingRun: string): Promise<TrainingRecord | undefined> {
    const experimentId = await this.#orUndefined(
      this.#call<{ experiment: { experiment_id: string } }>(
        'GET',
        `experiments/get-by-name?${new URLSearchParams({ experiment_name: experiment })}`,
      ).then((found) => found.experiment.experiment_id),
    );
    if (!experimentId) return undefined;
    const { runs = [] } = await this.#call<{ runs?: RunJson[] }>('POST', 'runs/search', {
      experiment_ids: [experimentId],
      filter: `tags."${trainingRunTag}" = '${trainingRun.replaceAll("'", "\\'")}'`,
      order_by: ['attributes.start_time DESC'],
      max_results: 10,
    });
    const run = runs.find((r) => r.info.status === 'FINISHED') ?? runs[0];
    if (!run) return undefined;
    const tags = Object.fromEntries((run.data.tags ?? []).map(({ key, value }) => [key, value]));
    return {
      runId: run.info.run_id,
      runStatus: run.info.status,
      modelVersion: tags['prodclass.model_version'],
      dataLoad: tags['prodclass.data_version'],
      metrics: Object.fromEntries((run.data.metrics ?? []).map(({ key, value }) => [key, value])),
    };
  }

  /** The promotion decision the training Job recorded on the version's tags, if any. */
  async decisionOf(
    registeredModel: string,
    version: string,
  ): Promise<{ decision: 'promote' | 'reject'; reason: string } | undefined> {
    const found = await this.#version(registeredModel, version);
    const tags = Object.fromEntries((found?.tags ?? []).map(({ key, value }) => [key, value]));
    const decision = tags['prodclass.promotion.decision'];
    if (decision !== 'promote' && decision !== 'reject') return undefined;
    return { decision, reason: tags['prodclass.promotion.reason'] ?? '' };
  }

  /** The version an alias points at, or undefined when the alias (or the model) does not exist. */
  aliasVersion(registeredModel: string, alias: string): Promise<string | undefined> {
    return this.#orUndefined(
      this.#call<{ model_version: VersionJson }>(
        'GET',
        `registered-models/alias?${new URLSearchParams({ name: registeredModel, alias })}`,
      ).then((found) => found.model_version.version),
    );
  }

  async versionExists(registeredModel: string, version: string): Promise<boolean> {
    return (await this.#version(registeredModel, version)) !== undefined;
  }

  #version(registeredModel: string, version: string): Promise<VersionJson | undefined> {
    return this.#orUndefined(
      this.#call<{ model_version: VersionJson }>(
        'GET',
        `model-versions/get?${new URLSearchParams({ name: registeredModel, version })}`,
      ).then((found) => found.model_version),
    );
  }

  async #orUndefined<T>(call: Promise<T>): Promise<T | undefined> {
    try {
      return await call;
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async #call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const url = new URL(`/api/2.0/mlflow/${path}`, this.trackingUri);
    const what = path.split('?')[0];
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new MlflowCallError(
        `MLflow at ${url.origin} is unreachable (${what}): ${(error as Error).message}`,
        undefined,
        undefined,
      );
    }
    const text = await response.text();
    if (!response.ok) {
      let parsed: { error_code?: string; message?: string } = {};
      try {
        parsed = JSON.parse(text);
      } catch {}
      throw new MlflowCallError(
        `MLflow ${what} answered ${response.status}: ${parsed.message ?? text.slice(0, 300)}`,
        response.status,
        parsed.error_code,
      );
    }
    return JSON.parse(text) as T;
  }
}
