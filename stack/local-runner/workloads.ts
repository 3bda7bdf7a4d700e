import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { V1Container, V1PodSpec } from '@kubernetes/client-node';
import { isNotFound, type KubeApi } from '@prodclass/kube/api';
import { resourceType } from '@prodclass/kube/objects';

const secretType = resourceType('v1', 'Secret', 'secrets');

/**
 * Where the workspace builds are (`prodclass` and the model server run from their dist/ folders)
 * and where the processes' logs and the pods' scrape targets go.
 */
export interface Workspace {
  root: string;
  logDir: string;
  /** Prometheus file_sd directory the pods' scrape targets are written to. */
  scrapeTargetsDir: string;
}

/**
 * The local command for a container: the trainer image's `prodclass` entrypoint becomes the
 * trainer-job build, the model-server image's default command the model-server build.
 */
export function localCommand(workspace: Workspace, container: V1Container): string[] {
  if (container.command?.[0] === 'prodclass')
    return [path.join(workspace.root, 'trainer-job/dist/cli.js'), ...(container.args ?? [])];
  if (container.name === 'model-server') return [path.join(workspace.root, 'model-server/dist/main.js')];
  throw new Error(
    `the local runner does not know how to run container ${container.name} (${container.image})`,
  );
}

/** The container's environment: its envFrom Secrets and ConfigMap-free env values, as a kubelet builds it. */
export async function containerEnv(
  api: KubeApi,
  namespace: string,
  container: V1Container,
): Promise<Record<string, string>> {
  const env: Record<string, string> = {};
  for (const source of container.envFrom ?? []) {
    const name = source.secretRef?.name;
    if (!name) continue;
    try {
      const secret = await api.request<{ data?: Record<string, string> }>(
        'GET',
        secretType.path(namespace, name),
      );
      for (const [key, value] of Object.entries(secret.data ?? {}))
        env[key] = Buffer.from(value, 'base64').toString('utf8');
    } catch (error) {
      if (!(isNotFound(error) && source.secretRef?.optional)) throw error;
    }
  }
  for (const variable of container.env ?? [])
    if (variable.value !== undefined) env[variable.name] = variable.value;
  return env;
}

/**
 * Local pods share this machine's filesystem, so an env value naming the mount path of one of the
 * pod's emptyDir volumes (the model server's inference-log spool) is pointed at a directory of the
 * pod's own instead, made here; `remove` deletes them, as a kubelet deletes a pod's emptyDirs.
 */
export function podEmptyDirs(
  podSpec: V1PodSpec,
  container: V1Container,
  env: Record<string, string>,
): { env: Record<string, string>; remove(): void } {
  const emptyDirs = new Set(
    (podSpec.volumes ?? []).filter((volume) => volume.emptyDir).map((volume) => volume.name),
  );
  const mounts = new Map(
    (container.volumeMounts ?? [])
      .filter((mount) => emptyDirs.has(mount.name))
      .map((mount) => [mount.mountPath, mount.name]),
  );
  const named = Object.entries(env).filter(([, value]) => mounts.has(value));
  if (named.length === 0) return { env, remove: () => undefined };
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'prodclass-local-pod-'));
  const local = { ...env };
  for (const [key, value] of named) {
    local[key] = path.join(root, mounts.get(value) as string);
    fs.mkdirSync(local[key], { recursive: true });
  }
  return { env: local, remove: () => fs.rmSync(root, { recursive: true, force: true }) };
}

/** Starts `node <args>` with only PATH and HOME from this process, logging to `<logDir>/<name>.log`. */
export function startProcess(
  workspace: Workspace,
  name: string,
  args: string[],
  env: Record<string, string>,
): ChildProcess {
  fs.mkdirSync(workspace.logDir, { recursive: true });
  const log = fs.openSync(path.join(workspace.logDir, `${name}.log`), 'a');
  const child = spawn(process.execPath, args, {
    cwd: workspace.root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', log, log],
  });
  fs.closeSync(log);
  return child;
}
