import os from 'node:os';
import type { LogLevel } from '@prodclass/kube/log';

/** The operator's settings, read and checked once from the environment (documented in docs/operator.md, Settings). */
export interface OperatorSettings {
  trainerImage: string;
  modelServerImage: string;
  pipelineSecret: string;
  modelServerSpoolMebibytes: number;
  databaseUrl: string;
  mlflowTrackingUri: string;
  /** The Prometheus that scrapes the model servers, read by a Progressive rollout's canary analysis; unset by default. */
  prometheusUrl?: string;
  /** Reconcile only this namespace (one tenant, or one test); all namespaces when unset. */
  watchNamespace?: string;
  leaseNamespace: string;
  leaseName: string;
  identity: string;
  leaseDurationMs: number;
  httpHost: string;
  httpPort: number;
  concurrency: number;
  resyncMs: number;
  aliasPollMs: number;
  /** How often each PredictionService's status.liveQuality and live-quality metrics are recomputed. */
  liveQualityMs: number;
  logLevel: LogLevel;
}

type Env = Record<string, string | undefined>;

function url(env: Env, name: string, protocols: string[]): string {
  const value = env[name]?.trim();
  if (!value) throw new Error(`${name} is not set: the operator needs it`);
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new Error(`${name} is not a valid URL`);
  }
  if (!protocols.includes(parsed.protocol))
    throw new Error(`${name} must be a ${protocols.join(' or ')} URL`);
  return value;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max)
    throw new Error(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  return value;
}

const dnsName = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function name(env: Env, key: string, fallback: string): string {
  const value = env[key]?.trim() || fallback;
  if (!dnsName.test(value) || value.length > 63)
    throw new Error(`${key} must be a DNS label, got "${value}"`);
  return value;
}

export function settingsFromEnv(env: Env = process.env): OperatorSettings {
  const logLevel = (env.LOG_LEVEL?.trim() || 'info') as LogLevel;
  if (!['debug', 'info', 'warn', 'error'].includes(logLevel))
    throw new Error(`LOG_LEVEL must be debug, info, warn or error, got "${logLevel}"`);
  const watchNamespace = env.WATCH_NAMESPACE?.trim() ? name(env, 'WATCH_NAMESPACE', '') : undefined;
  return {
    trainerImage: env.TRAINER_IMAGE?.trim() || 'prodclass/trainer-job:0.1.0',
    modelServerImage: env.MODEL_SERVER_IMAGE?.trim() || 'prodclass/model-server:0.1.0',
    pipelineSecret: name(env, 'PIPELINE_SECRET', 'prodclass-pipeline'),
    modelServerSpoolMebibytes: integer(env, 'MODEL_SERVER_SPOOL_MEBIBYTES', 256, 1, 1_048_576),
    databaseUrl: url(env, 'DATABASE_URL', ['postgres:', 'postgresql:']),
    mlflowTrackingUri: url(env, 'MLFLOW_TRACKING_URI', ['http:', 'https:']),
    prometheusUrl: env.PROMETHEUS_URL?.trim() ? url(env, 'PROMETHEUS_URL', ['http:', 'https:']) : undefined,
    watchNamespace,
    leaseNamespace: name(env, 'LEASE_NAMESPACE', watchNamespace ?? 'prodclass-system'),
    leaseName: name(env, 'LEASE_NAME', 'prodclass-operator'),
    identity: env.POD_NAME?.trim() || `${os.hostname()}-${process.pid}`,
    leaseDurationMs: integer(env, 'LEASE_DURATION_SECONDS', 15, 2, 300) * 1000,
    httpHost: env.HTTP_HOST?.trim() || '0.0.0.0',
    httpPort: integer(env, 'HTTP_PORT', 8080, 0, 65535),
    concurrency: integer(env, 'RECONCILE_CONCURRENCY', 8, 1, 64),
    resyncMs: integer(env, 'RESYNC_SECONDS', 300, 10, 86_400) * 1000,
    aliasPollMs: integer(env, 'ALIAS_POLL_SECONDS', 60, 1, 86_400) * 1000,
    liveQualityMs: integer(env, 'LIVE_QUALITY_SECONDS', 60, 1, 86_400) * 1000,
    logLevel,
  };
}
