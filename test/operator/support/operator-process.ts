import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { stackEnv } from '../../support/stack-env.js';
import { repository } from './harness.js';

/** The operator as its own process (operator/src/main.ts), for a test that kills it or reads its output. */
export interface OperatorProcess {
  child: ChildProcess;
  /** Where its HTTP server (/healthz, /readyz, /metrics) listens. */
  port: number;
  /** Its stdout's lines (JSON log lines) and its stderr's chunks prefixed `stderr: `. */
  lines: string[];
  exited: Promise<number | null>;
}

/**
 * Starts the operator of one namespace as a process named `identity`, leading through the
 * namespace's Lease (`prodclass-operator`, 4 s), with the stack's PostgreSQL database `databaseUrl`,
 * MLflow and Prometheus; `env` overrides any of its settings.
 */
export function startOperatorProcess(
  namespace: string,
  databaseUrl: string,
  identity: string,
  env: Record<string, string> = {},
): OperatorProcess {
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const child = spawn(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', path.join(repository, 'operator/src/main.ts')],
    {
      cwd: repository,
      env: {
        PATH: process.env.PATH ?? '',
        KUBECONFIG: stackEnv().KUBECONFIG,
        DATABASE_URL: databaseUrl,
        MLFLOW_TRACKING_URI: stackEnv().MLFLOW_TRACKING_URI,
        PROMETHEUS_URL: stackEnv().PROMETHEUS_URL,
        WATCH_NAMESPACE: namespace,
        POD_NAME: identity,
        HTTP_HOST: '127.0.0.1',
        HTTP_PORT: String(port),
        LEASE_DURATION_SECONDS: '4',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const lines: string[] = [];
  let pending = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    pending += chunk.toString();
    const complete = pending.split('\n');
    pending = complete.pop() ?? '';
    lines.push(...complete);
  });
  child.stderr?.on('data', (chunk: Buffer) => lines.push(`stderr: ${chunk}`));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, port, lines, exited };
}
