import fs from 'node:fs';
import { envFile, logDir } from './paths.js';
import { commandLineOf, freePort, isAlive, portIsFree, StackError } from './processes.js';
import type { Service } from './service.js';
import { etcd, kubeApiserver, kubeconfigFile, writeKubeconfig } from './services/kubernetes.js';
import { mlflow } from './services/mlflow.js';
import { postgres } from './services/postgres.js';
import { prometheus } from './services/prometheus.js';
import { loadState, readStateIfAny, type ServiceName, type StackState, saveState } from './state.js';

/** Start-up order: each inner list starts in sequence, the lists run side by side. */
const chains: Service[][] = [[postgres, mlflow], [etcd, kubeApiserver], [prometheus]];
const services = chains.flat();

export interface StackEnv {
  DATABASE_URL: string;
  MLFLOW_TRACKING_URI: string;
  KUBECONFIG: string;
  PROMETHEUS_URL: string;
}

export interface UpResult {
  env: StackEnv;
  /** The services this call started (the others were already running and are left alone). */
  started: ServiceName[];
}

export function envOf(state: StackState): StackEnv {
  return {
    DATABASE_URL: postgres.url(state),
    MLFLOW_TRACKING_URI: mlflow.url(state),
    KUBECONFIG: kubeconfigFile,
    PROMETHEUS_URL: prometheus.url(state),
  };
}

/** The recorded pid, if that process is still alive and still the service we started. */
function ownPid(state: StackState, service: Service): number | undefined {
  const pid = state.pids[service.name];
  if (!pid || !isAlive(pid)) return undefined;
  return commandLineOf(pid).includes(service.name) ? pid : undefined;
}

async function ensureRunning(state: StackState, service: Service, progress: (line: string) => void) {
  if (await service.answers(state)) {
    await service.reconfigure?.(state);
    return false;
  }
  if (ownPid(state, service)) await service.stop(state);
  if (!(await portIsFree(state.ports[service.name]))) state.ports[service.name] = await freePort();
  progress(`${service.name}: starting on 127.0.0.1:${state.ports[service.name]}`);
  const started = Date.now();
  state.pids[service.name] = await service.start(state, progress);
  saveState(state);
  progress(`${service.name}: ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return true;
}

/** Idempotent: reuses every service that already answers and starts the others. */
export async function up(progress: (line: string) => void = () => {}): Promise<UpResult> {
  fs.mkdirSync(logDir, { recursive: true });
  const state = await loadState();
  saveState(state);
  const started: ServiceName[] = [];
  // Every install and build runs before anything starts, so that no start-up waits behind one.
  const answering = await Promise.all(services.map((service) => service.answers(state)));
  const prepared = await Promise.allSettled(
    services.filter((_, index) => !answering[index]).map((service) => service.prepare?.(progress)),
  );
  const failures = prepared.flatMap((result) =>
    result.status === 'rejected' ? [result.reason as Error] : [],
  );
  if (failures.length === 0) {
    await Promise.all(
      chains.map(async (chain) => {
        for (const service of chain) {
          try {
            if (await ensureRunning(state, service, progress)) started.push(service.name);
          } catch (error) {
            failures.push(
              error instanceof StackError
                ? error
                : new StackError(service.name, (error as Error).message, service.logFile),
            );
            return;
          }
        }
      }),
    );
  }
  if (failures.length > 0) {
    await down(started);
    throw new AggregateError(failures, failures.map((failure) => failure.message).join('\n'));
  }
  writeKubeconfig(state);
  const env = envOf(state);
  fs.writeFileSync(
    envFile,
    `${Object.entries(env)
      .map(([key, value]) => `export ${key}='${value}'`)
      .join('\n')}\n`,
    { mode: 0o600 },
  );
  return { env, started };
}

/** Stops the given services (all by default), in reverse start-up order, and only processes we started. */
export async function down(names: readonly ServiceName[] = services.map((service) => service.name)) {
  const state = readStateIfAny();
  if (!state) return [];
  const stopped: ServiceName[] = [];
  for (const service of [...services].reverse()) {
    if (!names.includes(service.name) || !ownPid(state, service)) continue;
    await service.stop(state);
    delete state.pids[service.name];
    saveState(state);
    stopped.push(service.name);
  }
  return stopped;
}

export interface ServiceStatus {
  name: ServiceName;
  url: string;
  answers: boolean;
  pid?: number;
  log: string;
}

export async function status(): Promise<ServiceStatus[]> {
  const state = readStateIfAny();
  if (!state) return [];
  return Promise.all(
    services.map(async (service) => ({
      name: service.name,
      url: service.url(state),
      answers: await service.answers(state),
      pid: ownPid(state, service),
      log: service.logFile,
    })),
  );
}
