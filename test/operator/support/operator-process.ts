import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { stackEnv } from '../../support/stack-env.js';
import { repository } from './harness.js';

/** The operator as its own process (operator/src/main.ts), for a test that kills it with SIGKILL. */
export interface OperatorProcess {
  child: ChildProcess;
  /** Its stdout (JSON log lines) and stderr, for a failing test's message. */
  output: string[];
  exited: Promise<number | null>;
}

/**
 * Starts the operator of one namespace as a process, leading through the namespace's Lease
 * (`prodclass-operator`, 4 s), with the stack's PostgreSQL database `databaseUrl`, MLflow and
 * Prometheus.
 */
export function startOperatorProcess(namespace: string, databaseUrl: string): OperatorProcess {
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
        POD_NAME: `process-${process.pid}`,
        HTTP_HOST: '127.0.0.1',
        HTTP_PORT: '0',
        LEASE_DURATION_SECONDS: '4',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const output: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => output.push(`stderr: ${chunk}`));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output, exited };
}
