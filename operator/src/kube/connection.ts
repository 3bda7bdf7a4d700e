import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import yaml from 'js-yaml';

/** Where the API server is and how to authenticate to it. */
export interface Connection {
  server: string;
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  rejectUnauthorized: boolean;
  /** The bearer token, read again from its file when it comes from one (bound tokens rotate). */
  token(): string | undefined;
  /** Impersonate this user (`as:` in a kubeconfig). */
  impersonate?: string;
}

const serviceAccountDir = '/var/run/secrets/kubernetes.io/serviceaccount';

function tokenFromFile(file: string): () => string {
  let cached = '';
  let readAt = 0;
  return () => {
    if (Date.now() - readAt > 60_000) {
      cached = fs.readFileSync(file, 'utf8').trim();
      readAt = Date.now();
    }
    return cached;
  };
}

interface Kubeconfig {
  'current-context'?: string;
  contexts?: { name: string; context: { cluster: string; user: string } }[];
  clusters?: {
    name: string;
    cluster: {
      server: string;
      'certificate-authority'?: string;
      'certificate-authority-data'?: string;
      'insecure-skip-tls-verify'?: boolean;
    };
  }[];
  users?: {
    name: string;
    user: {
      token?: string;
      tokenFile?: string;
      'client-certificate'?: string;
      'client-certificate-data'?: string;
      'client-key'?: string;
      'client-key-data'?: string;
      as?: string;
      exec?: unknown;
      'auth-provider'?: unknown;
    };
  }[];
}

function fileOrData(base: string, file: string | undefined, data: string | undefined): Buffer | undefined {
  if (data) return Buffer.from(data, 'base64');
  if (file) return fs.readFileSync(path.resolve(base, file));
  return undefined;
}

/** The current context of a kubeconfig file: token or client-certificate users, CA or insecure clusters. */
export function connectionFromKubeconfig(file: string): Connection {
  const config = yaml.load(fs.readFileSync(file, 'utf8')) as Kubeconfig;
  const base = path.dirname(file);
  const contextName = config['current-context'];
  const context = config.contexts?.find((c) => c.name === contextName)?.context;
  if (!context) throw new Error(`${file}: current context "${contextName ?? ''}" not found`);
  const cluster = config.clusters?.find((c) => c.name === context.cluster)?.cluster;
  const user = config.users?.find((u) => u.name === context.user)?.user;
  if (!cluster || !user) throw new Error(`${file}: context ${contextName} names a missing cluster or user`);
  if (user.exec || user['auth-provider'])
    throw new Error(
      `${file}: user ${context.user} uses an exec or auth-provider plugin, which the operator does not run`,
    );
  const token = user.tokenFile ? tokenFromFile(path.resolve(base, user.tokenFile)) : () => user.token;
  return {
    server: cluster.server.replace(/\/$/, ''),
    ca: fileOrData(base, cluster['certificate-authority'], cluster['certificate-authority-data']),
    cert: fileOrData(base, user['client-certificate'], user['client-certificate-data']),
    key: fileOrData(base, user['client-key'], user['client-key-data']),
    rejectUnauthorized: cluster['insecure-skip-tls-verify'] !== true,
    token,
    impersonate: user.as,
  };
}

/**
 * The API server connection: the first file of KUBECONFIG when set, else the pod's ServiceAccount
 * when running in a cluster, else ~/.kube/config.
 */
export function loadConnection(env: Record<string, string | undefined> = process.env): Connection {
  const kubeconfig = env.KUBECONFIG?.split(path.delimiter).find((file) => file && fs.existsSync(file));
  if (kubeconfig) return connectionFromKubeconfig(kubeconfig);
  if (env.KUBERNETES_SERVICE_HOST) {
    const host = env.KUBERNETES_SERVICE_HOST.includes(':')
      ? `[${env.KUBERNETES_SERVICE_HOST}]`
      : env.KUBERNETES_SERVICE_HOST;
    return {
      server: `https://${host}:${env.KUBERNETES_SERVICE_PORT ?? '443'}`,
      ca: fs.readFileSync(path.join(serviceAccountDir, 'ca.crt')),
      rejectUnauthorized: true,
      token: tokenFromFile(path.join(serviceAccountDir, 'token')),
    };
  }
  const home = path.join(os.homedir(), '.kube', 'config');
  if (fs.existsSync(home)) return connectionFromKubeconfig(home);
  throw new Error('no Kubernetes connection: set KUBECONFIG, or run in a cluster');
}
