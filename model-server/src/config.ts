import { defaultAlias, defaultRegisteredModel } from '@prodclass/api/defaults';
import { type ModelUri, parseModelUri } from '@prodclass/registry/model-uri';

export interface ServerConfig {
  port: number;
  host: string;
  modelUri: ModelUri;
  /** The alias a pinned version (models:/NAME/VERSION) was chosen through; reported with predictions. */
  modelAlias: string | undefined;
  mlflowTrackingUri: string | undefined;
  /** The inference log is off without it. */
  databaseUrl: string | undefined;
  /** Where the inference log keeps rows while PostgreSQL is away; they are dropped without it. */
  inferenceLogSpoolDir: string | undefined;
  inferenceLogSpoolBytes: number;
  /** Admin routes answer 404 without it. */
  adminToken: string | undefined;
  /** The feedback routes answer 404 without it. */
  feedbackToken: string | undefined;
  reloadIntervalSeconds: number;
  logLevel: string;
  /** A second model the server routes a share of requests to, or mirrors them to; none without it. */
  traffic: TrafficConfig | undefined;
}

/** How requests are shared with the candidate model (docs/model-server.md#candidate-model-canary-and-shadow). */
export interface TrafficConfig {
  candidateUri: ModelUri;
  /** The alias a pinned candidate version was chosen through. */
  candidateAlias: string | undefined;
  /** Percent of requests the candidate answers, chosen by a hash of the productid (random without one). */
  canaryWeight: number;
  /** Percent of the requests the primary answers that the candidate also predicts, off the request path. */
  shadowPercent: number;
  /** Mirrored requests waiting for the candidate; more are dropped and counted. */
  shadowQueueCapacity: number;
  /** Milliseconds every canary answer of the candidate is held back (a rollout drill's fault); 0 by default. */
  candidateDelayMs: number;
}

/** Every setting's variable and default, as documented in docs/model-server.md. */
export const configDefaults = {
  PORT: '8000',
  HOST: '127.0.0.1',
  MODEL_URI: `models:/${defaultRegisteredModel}@${defaultAlias}`,
  RELOAD_INTERVAL_SECONDS: '60',
  INFERENCE_LOG_SPOOL_BYTES: String(256 * 1024 * 1024),
  LOG_LEVEL: 'info',
  CANARY_WEIGHT: '0',
  SHADOW_PERCENT: '0',
  SHADOW_QUEUE_CAPACITY: '1000',
  CANDIDATE_DELAY_MS: '0',
} as const;

/** The longest CANDIDATE_DELAY_MS: a minute is past any latency threshold worth drilling. */
const maximumCandidateDelayMs = 60_000;

const minimumTokenLength = 16;
/** Room for a few hundred rows: a smaller spool would not be worth its disk. */
const minimumSpoolBytes = 64 * 1024;
const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

function isHttpUrl(value: string): boolean {
  try {
    const { protocol } = new URL(value);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}

/** Reads and checks every variable at once, reporting all problems together. */
export function loadConfig(env: NodeJS.ProcessEnv): ServerConfig {
  const problems: string[] = [];
  const read = (name: keyof typeof configDefaults) => env[name] || configDefaults[name];
  const optional = (name: string) => env[name] || undefined;

  const port = Number(read('PORT'));
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    problems.push(`PORT must be an integer from 0 to 65535, got "${read('PORT')}"`);
  }

  const modelUri = parseModelUri(read('MODEL_URI'));
  if (!modelUri) {
    problems.push(
      `MODEL_URI must be models:/NAME@ALIAS, models:/NAME/VERSION or a bundle file path, got "${read('MODEL_URI')}"`,
    );
  }

  const modelAlias = optional('MODEL_ALIAS');
  if (modelAlias !== undefined && !/^[A-Za-z0-9_-]+$/.test(modelAlias)) {
    problems.push(`MODEL_ALIAS must be letters, digits, _ or -, got "${modelAlias}"`);
  }
  if (modelAlias !== undefined && modelUri && modelUri.kind !== 'version') {
    problems.push(
      'MODEL_ALIAS only goes with MODEL_URI models:/NAME/VERSION (an alias URI names its own alias)',
    );
  }

  const mlflowTrackingUri = optional('MLFLOW_TRACKING_URI');
  if (mlflowTrackingUri !== undefined && !isHttpUrl(mlflowTrackingUri)) {
    problems.push('MLFLOW_TRACKING_URI must be an http(s) URL');
  }
  if (modelUri && modelUri.kind !== 'file' && mlflowTrackingUri === undefined) {
    problems.push('MLFLOW_TRACKING_URI is required when MODEL_URI names a registered model');
  }

  const databaseUrl = optional('DATABASE_URL');
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push('DATABASE_URL must be a postgres:// or postgresql:// URL');
  }

  const inferenceLogSpoolDir = optional('INFERENCE_LOG_SPOOL_DIR');
  if (inferenceLogSpoolDir !== undefined && databaseUrl === undefined) {
    problems.push('INFERENCE_LOG_SPOOL_DIR needs DATABASE_URL: it keeps inference-log rows for PostgreSQL');
  }
  const inferenceLogSpoolBytes = Number(read('INFERENCE_LOG_SPOOL_BYTES'));
  if (!Number.isSafeInteger(inferenceLogSpoolBytes) || inferenceLogSpoolBytes < minimumSpoolBytes) {
    problems.push(
      `INFERENCE_LOG_SPOOL_BYTES must be an integer of at least ${minimumSpoolBytes}, got "${read('INFERENCE_LOG_SPOOL_BYTES')}"`,
    );
  }

  const adminToken = optional('ADMIN_TOKEN');
  if (adminToken !== undefined && adminToken.length < minimumTokenLength) {
    problems.push(`ADMIN_TOKEN must be at least ${minimumTokenLength} characters long`);
  }

  const feedbackToken = optional('FEEDBACK_TOKEN');
  if (feedbackToken !== undefined && feedbackToken.length < minimumTokenLength) {
    problems.push(`FEEDBACK_TOKEN must be at least ${minimumTokenLength} characters long`);
  }
  if (feedbackToken !== undefined && databaseUrl === undefined) {
    problems.push('FEEDBACK_TOKEN needs DATABASE_URL: labels are written next to the inference log');
  }

  const reloadIntervalSeconds = Number(read('RELOAD_INTERVAL_SECONDS'));
  if (!Number.isFinite(reloadIntervalSeconds) || reloadIntervalSeconds <= 0) {
    problems.push(
      `RELOAD_INTERVAL_SECONDS must be a positive number, got "${read('RELOAD_INTERVAL_SECONDS')}"`,
    );
  }

  const logLevel = read('LOG_LEVEL');
  if (!logLevels.includes(logLevel)) problems.push(`LOG_LEVEL must be one of ${logLevels.join(', ')}`);

  const traffic = readTraffic(env, problems, read);

  if (problems.length > 0 || !modelUri) throw new ConfigError(problems);
  return {
    port,
    host: read('HOST'),
    modelUri,
    modelAlias,
    mlflowTrackingUri,
    databaseUrl,
    inferenceLogSpoolDir,
    inferenceLogSpoolBytes,
    adminToken,
    feedbackToken,
    reloadIntervalSeconds,
    logLevel,
    traffic,
  };
}

function readPercent(name: string, value: string, problems: string[]): number {
  const percent = Number(value);
  if (value.trim() === '' || !Number.isFinite(percent) || percent < 0 || percent > 100) {
    problems.push(`${name} must be a number from 0 to 100, got "${value}"`);
  }
  return percent;
}

/** The candidate's settings: CANDIDATE_MODEL_URI and what it is for. */
function readTraffic(
  env: NodeJS.ProcessEnv,
  problems: string[],
  read: (name: keyof typeof configDefaults) => string,
): TrafficConfig | undefined {
  const canaryWeight = readPercent('CANARY_WEIGHT', read('CANARY_WEIGHT'), problems);
  const shadowPercent = readPercent('SHADOW_PERCENT', read('SHADOW_PERCENT'), problems);
  const shadowQueueCapacity = Number(read('SHADOW_QUEUE_CAPACITY'));
  if (!Number.isInteger(shadowQueueCapacity) || shadowQueueCapacity < 1) {
    problems.push(`SHADOW_QUEUE_CAPACITY must be a positive integer, got "${read('SHADOW_QUEUE_CAPACITY')}"`);
  }
  const candidateDelayText = read('CANDIDATE_DELAY_MS');
  const candidateDelayMs = Number(candidateDelayText);
  if (
    !/^\d+$/.test(candidateDelayText.trim()) ||
    !Number.isInteger(candidateDelayMs) ||
    candidateDelayMs > maximumCandidateDelayMs
  ) {
    problems.push(
      `CANDIDATE_DELAY_MS must be an integer from 0 to ${maximumCandidateDelayMs}, got "${candidateDelayText}"`,
    );
  }
  const candidateAlias = env.CANDIDATE_MODEL_ALIAS || undefined;
  if (candidateAlias !== undefined && !/^[A-Za-z0-9_-]+$/.test(candidateAlias)) {
    problems.push(`CANDIDATE_MODEL_ALIAS must be letters, digits, _ or -, got "${candidateAlias}"`);
  }
  const uriText = env.CANDIDATE_MODEL_URI || undefined;
  if (uriText === undefined) {
    if (canaryWeight > 0 || shadowPercent > 0) {
      problems.push(
        'CANARY_WEIGHT and SHADOW_PERCENT need CANDIDATE_MODEL_URI, the model they send requests to',
      );
    }
    return undefined;
  }
  const candidateUri = parseModelUri(uriText);
  if (!candidateUri) {
    problems.push(
      `CANDIDATE_MODEL_URI must be models:/NAME@ALIAS, models:/NAME/VERSION or a bundle file path, got "${uriText}"`,
    );
    return undefined;
  }
  if (candidateUri.kind !== 'file' && !env.MLFLOW_TRACKING_URI) {
    problems.push('MLFLOW_TRACKING_URI is required when CANDIDATE_MODEL_URI names a registered model');
  }
  return { candidateUri, candidateAlias, canaryWeight, shadowPercent, shadowQueueCapacity, candidateDelayMs };
}
