import { defaultAlias, defaultRegisteredModel } from '@prodclass/api/defaults';
export type AuthMode = 'off' | 'bearer' | 'proxy';

export interface ConsoleConfig {
  port: number;
  host: string;
  /** The namespace whose resources the console shows and creates. */
  namespace: string;
  registeredModel: string;
  alias: string;
  databaseUrl: string;
  mlflowTrackingUri: string;
  /** Where people's browsers reach MLflow, for links; the tracking URI when unset. */
  mlflowPublicUrl: string;
  /** Live request rate and p95 are off without it. */
  prometheusUrl: string | undefined;
  auth: { mode: AuthMode; userHeader: string; groupsHeader: string };
  /** The model servers' FEEDBACK_TOKEN: the simulator's corrections are sent with it; off without it. */
  feedbackToken: string | undefined;
  /** Set the Secure attribute on the CSRF cookie (behind HTTPS). */
  secureCookies: boolean;
  logLevel: string;
}

/** Every variable with a default, as documented in docs/console.md. */
export const configDefaults = {
  PORT: '8090',
  HOST: '127.0.0.1',
  NAMESPACE: 'default',
  REGISTERED_MODEL: defaultRegisteredModel,
  ALIAS: defaultAlias,
  AUTH_MODE: 'off',
  AUTH_USER_HEADER: 'x-forwarded-user',
  AUTH_GROUPS_HEADER: 'x-forwarded-groups',
  SECURE_COOKIES: 'false',
  LOG_LEVEL: 'info',
} as const;

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const authModes: readonly AuthMode[] = ['off', 'bearer', 'proxy'];

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

function urlProblem(name: string, value: string, protocols: readonly string[]): string | undefined {
  try {
    const { protocol } = new URL(value);
    return protocols.includes(protocol) ? undefined : `${name} must be a ${protocols.join(' or ')} URL`;
  } catch {
    return `${name} must be a URL, got "${value}"`;
  }
}

/** FEEDBACK_TOKEN, optional; the model server takes tokens of 16 characters or more (model-server/src/config.ts). */
function readFeedbackToken(env: NodeJS.ProcessEnv, problems: string[]): string | undefined {
  const token = env.FEEDBACK_TOKEN || undefined;
  if (token !== undefined && token.length < 16)
    problems.push('FEEDBACK_TOKEN must be at least 16 characters long, as the model server requires');
  return token;
}

/** Reads and checks every variable at once, reporting all problems together. */
export function loadConfig(env: NodeJS.ProcessEnv): ConsoleConfig {
  const problems: string[] = [];
  const read = (name: keyof typeof configDefaults) => env[name] || configDefaults[name];
  const required = (name: string, protocols: readonly string[]) => {
    const value = env[name];
    if (!value) problems.push(`${name} is required`);
    else {
      const problem = urlProblem(name, value, protocols);
      if (problem) problems.push(problem);
    }
    return value ?? '';
  };

  const port = Number(read('PORT'));
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    problems.push(`PORT must be an integer from 0 to 65535, got "${read('PORT')}"`);
  const namespace = read('NAMESPACE');
  if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(namespace))
    problems.push(`NAMESPACE must be a Kubernetes namespace name, got "${namespace}"`);
  const databaseUrl = required('DATABASE_URL', ['postgres:', 'postgresql:']);
  const mlflowTrackingUri = required('MLFLOW_TRACKING_URI', ['http:', 'https:']);
  const mlflowPublicUrl = env.MLFLOW_PUBLIC_URL || mlflowTrackingUri;
  const publicProblem =
    env.MLFLOW_PUBLIC_URL && urlProblem('MLFLOW_PUBLIC_URL', mlflowPublicUrl, ['http:', 'https:']);
  if (publicProblem) problems.push(publicProblem);
  const prometheusUrl = env.PROMETHEUS_URL || undefined;
  const prometheusProblem = prometheusUrl && urlProblem('PROMETHEUS_URL', prometheusUrl, ['http:', 'https:']);
  if (prometheusProblem) problems.push(prometheusProblem);
  const feedbackToken = readFeedbackToken(env, problems);
  const mode = read('AUTH_MODE') as AuthMode;
  if (!authModes.includes(mode))
    problems.push(`AUTH_MODE must be one of ${authModes.join(', ')}, got "${mode}"`);
  const secure = read('SECURE_COOKIES');
  if (secure !== 'true' && secure !== 'false') problems.push('SECURE_COOKIES must be true or false');
  const logLevel = read('LOG_LEVEL');
  if (!logLevels.includes(logLevel)) problems.push(`LOG_LEVEL must be one of ${logLevels.join(', ')}`);
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    port,
    host: read('HOST'),
    namespace,
    registeredModel: read('REGISTERED_MODEL'),
    alias: read('ALIAS'),
    databaseUrl,
    mlflowTrackingUri,
    mlflowPublicUrl: mlflowPublicUrl.replace(/\/$/, ''),
    prometheusUrl,
    feedbackToken,
    auth: {
      mode,
      userHeader: read('AUTH_USER_HEADER').toLowerCase(),
      groupsHeader: read('AUTH_GROUPS_HEADER').toLowerCase(),
    },
    secureCookies: secure === 'true',
    logLevel,
  };
}
