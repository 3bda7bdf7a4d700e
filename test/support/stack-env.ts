import type { StackEnv } from '../../stack/stack.js';

/** The stack's environment as the global setup exported it; fails loudly when it is missing. */
export function stackEnv(): StackEnv {
  const names = ['DATABASE_URL', 'MLFLOW_TRACKING_URI', 'KUBECONFIG', 'PROMETHEUS_URL'] as const;
  const missing = names.filter((name) => !process.env[name]);
  if (missing.length > 0) {
    throw new Error(
      `the local stack's environment is missing ${missing.join(', ')}: run the tests with npm test`,
    );
  }
  return Object.fromEntries(names.map((name) => [name, process.env[name] as string])) as unknown as StackEnv;
}
