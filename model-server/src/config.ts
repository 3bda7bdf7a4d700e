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
}

/** Every setting's variable and default, as documented in docs/model-server.md. */
export const configDefaults = {
  PORT: '8000',
  HOST: '127.0.0.1',
  MODEL_URI: `models:/${defaultRegisteredModel}@${defaultAlias}`,
  RELOAD_INTERVAL_SECONDS: '60',
  INFERENCE_LOG_SPOOL_BYTES: String(256 * 1024 * 1024),
  LOG_LEVEL: 'info',
} as const;

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
  };
}
