import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import * as k8s from '@kubernetes/client-node';
import { type Connection, connectionFromKubeconfig } from '@prodclass/kube/connection';
import { stackEnv } from '../../support/stack-env.js';

export const crdDir = path.resolve(import.meta.dirname, '../../../crds');
const run = promisify(execFile);

/** The admin kubeconfig of the local stack, for @kubernetes/client-node's typed clients. */
export function adminConfig(): k8s.KubeConfig {
  const config = new k8s.KubeConfig();
  config.loadFromFile(stackEnv().KUBECONFIG);
  return config;
}

/** The operator's own connection to the local stack; with `impersonate`, every request acts as that user. */
export function adminConnection(impersonate?: string): Connection {
  return { ...connectionFromKubeconfig(stackEnv().KUBECONFIG), impersonate };
}

/** Server-side applies every CRD in crds/ (as a person would, with kubectl) and waits until they are served. */
export async function applyCrds(): Promise<void> {
  await kubectl(
    'apply',
    '--server-side',
    '--force-conflicts',
    '--field-manager=prodclass-tests',
    '-f',
    crdDir,
  );
  await kubectl('wait', '--for=condition=Established', '--timeout=30s', '-f', crdDir);
}

export function kubectl(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run('kubectl', args, { env: { ...process.env, KUBECONFIG: stackEnv().KUBECONFIG } });
}

/** A fresh namespace named `<prefix>-<random>`. */
export async function createNamespace(prefix: string, config = adminConfig()): Promise<string> {
  const name = `${prefix}-${randomBytes(3).toString('hex')}`;
  await config.makeApiClient(k8s.CoreV1Api).createNamespace({ body: { metadata: { name } } });
  return name;
}

export async function deleteNamespace(name: string, config = adminConfig()): Promise<void> {
  await config
    .makeApiClient(k8s.CoreV1Api)
    .deleteNamespace({ name })
    .catch(() => undefined);
}

export async function waitFor(
  what: string,
  condition: () => Promise<boolean>,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
