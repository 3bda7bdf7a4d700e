import { spawn } from 'node:child_process';
import path from 'node:path';
import type { Credential } from './connection.js';

const apiVersions = ['client.authentication.k8s.io/v1', 'client.authentication.k8s.io/v1beta1'] as const;
type ApiVersion = (typeof apiVersions)[number];

/** A kubeconfig user's `exec:` section, validated. */
export interface ExecConfig {
  apiVersion: ApiVersion;
  command: string;
  args: string[];
  /** Set on top of the operator's own environment. */
  env: { name: string; value: string }[];
  installHint?: string;
  provideClusterInfo: boolean;
}

/** The cluster as an ExecCredential request describes it (`spec.cluster`), for plugins that ask for it. */
export interface ExecCluster {
  server: string;
  'certificate-authority-data'?: string;
  'insecure-skip-tls-verify'?: boolean;
  config?: unknown;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isEnvList = (env: unknown): boolean =>
  env == null ||
  (Array.isArray(env) &&
    env.every(
      (entry) => isRecord(entry) && typeof entry.name === 'string' && typeof entry.value === 'string',
    ));

/** The operator runs a plugin without a terminal: one that must prompt cannot work. */
function checkInteractiveMode(interactiveMode: unknown, where: string): void {
  if (interactiveMode === 'Always')
    throw new Error(
      `${where}: exec.interactiveMode is Always, but the operator has no terminal to answer a prompt; the plugin must work with interactiveMode IfAvailable or Never`,
    );
  if (interactiveMode != null && interactiveMode !== 'Never' && interactiveMode !== 'IfAvailable')
    throw new Error(`${where}: exec.interactiveMode must be Never, IfAvailable or Always`);
}

/** Validates an `exec:` section; `where` names the kubeconfig and user in the errors. */
export function parseExecConfig(exec: unknown, where: string): ExecConfig {
  if (!isRecord(exec)) throw new Error(`${where}: exec must be a mapping`);
  const { apiVersion, command, args, env, installHint, interactiveMode, provideClusterInfo } = exec;
  if (typeof command !== 'string' || !command) throw new Error(`${where}: exec.command is required`);
  if (!apiVersions.includes(apiVersion as ApiVersion))
    throw new Error(
      `${where}: exec.apiVersion ${JSON.stringify(apiVersion ?? null)} is not supported; use ${apiVersions.join(' or ')}`,
    );
  if (args != null && !(Array.isArray(args) && args.every((arg) => typeof arg === 'string')))
    throw new Error(`${where}: exec.args must be a list of strings`);
  if (!isEnvList(env)) throw new Error(`${where}: exec.env must be a list of {name, value} strings`);
  checkInteractiveMode(interactiveMode, where);
  return {
    apiVersion: apiVersion as ApiVersion,
    command,
    args: (args as string[] | null | undefined) ?? [],
    env: (env as { name: string; value: string }[] | null | undefined) ?? [],
    installHint: typeof installHint === 'string' ? installHint.trim() : undefined,
    provideClusterInfo: provideClusterInfo === true,
  };
}

// The API server's clock may be ahead of ours, and a request needs time to get there.
const refreshBeforeExpiryMs = 60_000;
const stderrShown = 500;

/**
 * Runs a client-go credential plugin (client.authentication.k8s.io ExecCredential) and keeps its
 * answer until shortly before its `expirationTimestamp`, or until the API server refuses it when it
 * has none. Concurrent callers share one run; a failed run is not cached.
 */
export class ExecCredentialPlugin {
  readonly #command: string;
  #cached: { credential: Credential; refreshAt: number } | undefined;
  #running: Promise<Credential> | undefined;

  constructor(
    private readonly config: ExecConfig,
    private readonly context: {
      /** Names the kubeconfig and user in the errors. */
      where: string;
      /** A relative command with a slash in it is found from the kubeconfig's directory, as kubectl does. */
      kubeconfigDir: string;
      /** Sent as `spec.cluster` when the kubeconfig sets `provideClusterInfo`. */
      cluster: ExecCluster;
    },
    private readonly timing = { timeoutMs: 60_000, now: Date.now },
  ) {
    this.#command =
      config.command.includes('/') && !path.isAbsolute(config.command)
        ? path.resolve(context.kubeconfigDir, config.command)
        : config.command;
  }

  credential(): Promise<Credential> {
    if (this.#cached && this.timing.now() < this.#cached.refreshAt)
      return Promise.resolve(this.#cached.credential);
    this.#running ??= this.#refresh().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  /** The API server answered 401 to `credential`: the next request runs the plugin again (or uses a newer answer). */
  refused(credential: Credential): boolean {
    if (this.#cached?.credential === credential) this.#cached = undefined;
    return true;
  }

  async #refresh(): Promise<Credential> {
    const startedAt = this.timing.now();
    const { credential, expiresAt } = this.#parse(await this.#run());
    const lifetime = expiresAt - startedAt;
    this.#cached = { credential, refreshAt: expiresAt - Math.min(refreshBeforeExpiryMs, lifetime / 2) };
    return credential;
  }

  #run(): Promise<string> {
    const { apiVersion, args, env, installHint, provideClusterInfo } = this.config;
    const request = {
      apiVersion,
      kind: 'ExecCredential',
      spec: { interactive: false, ...(provideClusterInfo ? { cluster: this.context.cluster } : {}) },
    };
    const childEnv: NodeJS.ProcessEnv = { ...process.env };
    for (const { name, value } of env) childEnv[name] = value;
    childEnv.KUBERNETES_EXEC_INFO = JSON.stringify(request);
    const name = `${this.context.where}: exec plugin ${this.config.command}`;

    return new Promise<string>((resolve, reject) => {
      const child = spawn(this.#command, args, { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
      child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`${name}: no answer after ${this.timing.timeoutMs / 1000} s`));
      }, this.timing.timeoutMs);
      child.on('error', (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        if (error.code === 'ENOENT')
          reject(new Error(`${name}: command not found${installHint ? `. ${installHint}` : ''}`));
        else reject(new Error(`${name}: could not start: ${error.message}`));
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        if (code === 0) {
          resolve(Buffer.concat(stdout).toString('utf8'));
          return;
        }
        let output = Buffer.concat(stderr).toString('utf8').trim();
        if (output.length > stderrShown) output = `${output.slice(0, stderrShown)}…`;
        reject(new Error(`${name}: exited with ${signal ?? `code ${code}`}${output ? `: ${output}` : ''}`));
      });
    });
  }

  #parse(stdout: string): { credential: Credential; expiresAt: number } {
    const name = `${this.context.where}: exec plugin ${this.config.command}`;
    let answer: unknown;
    try {
      answer = JSON.parse(stdout);
    } catch {
      // The output is not quoted: a plugin that prints invalid JSON may well have printed a bare token.
      throw new Error(`${name}: printed invalid JSON (${stdout.length} characters), not an ExecCredential`);
    }
    if (!isRecord(answer) || answer.kind !== 'ExecCredential')
      throw new Error(`${name}: printed JSON that is not an ExecCredential`);
    if (answer.apiVersion !== this.config.apiVersion)
      throw new Error(
        `${name}: answered with apiVersion ${JSON.stringify(answer.apiVersion ?? null)}, but the kubeconfig asks for ${this.config.apiVersion}`,
      );
    return credentialOf(answer.status, name);
  }
}

/** The credential in an ExecCredential's status and when it expires; `name` names the plugin in errors. */
function credentialOf(status: unknown, name: string): { credential: Credential; expiresAt: number } {
  if (!isRecord(status)) throw new Error(`${name}: the ExecCredential has no status`);
  const { token, clientCertificateData, clientKeyData, expirationTimestamp } = status;
  for (const [field, value] of Object.entries({
    token,
    clientCertificateData,
    clientKeyData,
    expirationTimestamp,
  }))
    if (value != null && typeof value !== 'string')
      throw new Error(`${name}: status.${field} must be a string`);
  if (!clientCertificateData !== !clientKeyData)
    throw new Error(`${name}: status has only one of clientCertificateData and clientKeyData`);
  if (!token && !clientCertificateData)
    throw new Error(`${name}: status has neither a token nor clientCertificateData and clientKeyData`);
  const expiresAt = expirationTimestamp
    ? Date.parse(expirationTimestamp as string)
    : Number.POSITIVE_INFINITY;
  if (Number.isNaN(expiresAt))
    throw new Error(
      `${name}: status.expirationTimestamp ${JSON.stringify(expirationTimestamp)} is not a time`,
    );
  const credential: Credential = {};
  if (token) credential.token = token as string;
  if (clientCertificateData) {
    // PEM text, unlike the base64 of a kubeconfig's client-certificate-data.
    credential.cert = Buffer.from(clientCertificateData as string);
    credential.key = Buffer.from(clientKeyData as string);
  }
  return { credential, expiresAt };
}
