import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { loadAllYaml } from '@kubernetes/client-node';
import { preparedBinary } from '../../../stack/binaries.js';
import { repoRoot } from '../../../stack/paths.js';
import { stackEnv } from '../../support/stack-env.js';

export const chartDir = path.join(repoRoot, 'charts/prodclass');

export interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end, with `input` on stdin and the stack's KUBECONFIG; never throws on exit codes. */
export function run(command: string, args: string[], input?: string): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: { ...process.env, KUBECONFIG: stackEnv().KUBECONFIG },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once('error', (error) => reject(new Error(`${command} could not run: ${error.message}`)));
    child.once('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

/** Like run, but a non-zero exit is an error that shows the command's output. */
export async function runOk(command: string, args: string[], input?: string): Promise<string> {
  const result = await run(command, args, input);
  if (result.code !== 0)
    throw new Error(
      `${path.basename(command)} ${args.join(' ')} exited with ${result.code}:\n${result.stderr}${result.stdout}`,
    );
  return result.stdout;
}

/** helm from PATH or the binary cache, where the set-up of npm test put it (stack/prepare.sh). */
export function helmBinary(): string {
  return preparedBinary('helm');
}

export async function helm(...args: string[]): Promise<Result> {
  return run(helmBinary(), args);
}

export async function helmOk(...args: string[]): Promise<string> {
  return runOk(helmBinary(), args);
}

export const kubectl = (args: string[], input?: string) => runOk('kubectl', args, input);

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [field: string]: unknown;
}

export function parseManifests(text: string): KubeObject[] {
  return (loadAllYaml(text) as (KubeObject | null)[]).filter((object): object is KubeObject => !!object);
}

/**
 * A fresh namespace with the `default` ServiceAccount that kube-controller-manager would add (the
 * test stack runs none, and Pods cannot be admitted without it).
 */
export async function freshNamespace(prefix: string): Promise<string> {
  const name = `${prefix}-${randomBytes(3).toString('hex')}`;
  await kubectl(['create', 'namespace', name]);
  await kubectl(['-n', name, 'create', 'serviceaccount', 'default']);
  return name;
}

export async function deleteNamespace(name: string): Promise<void> {
  await run('kubectl', ['delete', 'namespace', name, '--wait=false']);
}

/** The prodclass CRDs and the stand-ins for the Prometheus Operator's, applied and established. */
export async function installCrds(): Promise<void> {
  const files = [path.join(repoRoot, 'crds'), path.join(repoRoot, 'test/helm/support/monitoring-crds.yaml')];
  for (const file of files) {
    await kubectl([
      'apply',
      '--server-side',
      '--force-conflicts',
      '--field-manager=prodclass-tests',
      '-f',
      file,
    ]);
    await kubectl(['wait', '--for=condition=Established', '--timeout=30s', '-f', file]);
  }
}
