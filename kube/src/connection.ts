import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import yaml from 'js-yaml';
import { ExecCredentialPlugin, parseExecConfig } from './exec-credential.js';

/** What a request authenticates with: a bearer token, a client certificate, or both. */
export interface Credential {
  token?: string;
  cert?: Buffer;
  key?: Buffer;
}

/** Where the API server is and how to authenticate to it. */
export interface Connection {
  server: string;
  ca?: Buffer;
  rejectUnauthorized: boolean;
  /**
   * The credential for the next request: a token file is read again now and then (bound tokens
   * rotate); an exec plugin's answer is kept until shortly before it expires.
   */
  credential(): Promise<Credential>;
  /** The API server answered 401 to `credential`: true when asking again gives a new one (exec plugins). */
  refused(credential: Credential): boolean;
  /** Impersonate this user (`as:` in a kubeconfig). */
  impersonate?: string;
  /** With `impersonate`: the groups the impersonated user is in. */
  impersonateGroups?: string[];
}

const serviceAccountDir = '/var/run/secrets/kubernetes.io/serviceaccount';

/** A token read from its file again once a minute (with the client certificate, if any). */
function tokenFromFile(file: string, certificate: Credential = {}): () => Promise<Credential> {
  let credential: Credential = {};
  let readAt = 0;
  return async () => {
    if (Date.now() - readAt > 60_000) {
      credential = { ...certificate, token: fs.readFileSync(file, 'utf8').trim() };
      readAt = Date.now();
    }
    return credential;
  };
}

const cannotRenew = () => false;

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
      extensions?: { name: string; extension: unknown }[];
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
      'auth-provider'?: { name?: string };
    };
  }[];
}

function fileOrData(base: string, file: string | undefined, data: string | undefined): Buffer | undefined {
  if (data) return Buffer.from(data, 'base64');
  if (file) return fs.readFileSync(path.resolve(base, file));
  return undefined;
}

// Kubernetes 1.26 removed the gcp and azure auth-providers from client-go; these replace them.
const execReplacements: Record<string, string> = {
  gcp: 'gke-gcloud-auth-plugin (`gcloud container clusters get-credentials` then writes an exec user)',
  azure: 'kubelogin (`kubelogin convert-kubeconfig -l azurecli`)',
  oidc: 'kubelogin (`kubectl oidc-login setup`)',
};

/**
 * The current context of a kubeconfig file: token, client-certificate or exec-plugin users, CA or
 * insecure clusters.
 */
export function connectionFromKubeconfig(file: string): Connection {
  const config = yaml.load(fs.readFileSync(file, 'utf8')) as Kubeconfig;
  const base = path.dirname(file);
  const contextName = config['current-context'];
  const context = config.contexts?.find((c) => c.name === contextName)?.context;
  if (!context) throw new Error(`${file}: current context "${contextName ?? ''}" not found`);
  const cluster = config.clusters?.find((c) => c.name === context.cluster)?.cluster;
  const user = config.users?.find((u) => u.name === context.user)?.user;
  if (!cluster || !user) throw new Error(`${file}: context ${contextName} names a missing cluster or user`);
  const where = `${file}: user ${context.user}`;
  if (user['auth-provider']) {
    const provider = user['auth-provider'].name ?? '';
    throw new Error(
      `${where}: auth-provider ${provider} is not supported; switch the user to an exec credential plugin${execReplacements[provider] ? `: ${execReplacements[provider]}` : ''}`,
    );
  }
  const server = cluster.server.replace(/\/$/, '');
  const ca = fileOrData(base, cluster['certificate-authority'], cluster['certificate-authority-data']);
  const rejectUnauthorized = cluster['insecure-skip-tls-verify'] !== true;
  if (user.exec) {
    const plugin = new ExecCredentialPlugin(parseExecConfig(user.exec, where), {
      where,
      kubeconfigDir: base,
      cluster: {
        server,
        'certificate-authority-data': ca?.toString('base64'),
        'insecure-skip-tls-verify': !rejectUnauthorized,
        config: cluster.extensions?.find((e) => e.name === 'client.authentication.k8s.io/exec')?.extension,
      },
    });
    return {
      server,
      ca,
      rejectUnauthorized,
      credential: () => plugin.credential(),
      refused: (credential) => plugin.refused(credential),
      impersonate: user.as,
    };
  }
  const certificate: Credential = {
    cert: fileOrData(base, user['client-certificate'], user['client-certificate-data']),
    key: fileOrData(base, user['client-key'], user['client-key-data']),
  };
  const fixed: Credential = { ...certificate, token: user.token };
  return {
    server,
    ca,
    rejectUnauthorized,
    credential: user.tokenFile
      ? tokenFromFile(path.resolve(base, user.tokenFile), certificate)
      : async () => fixed,
    refused: cannotRenew,
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
      credential: tokenFromFile(path.join(serviceAccountDir, 'token')),
      refused: cannotRenew,
    };
  }
  const home = path.join(os.homedir(), '.kube', 'config');
  if (fs.existsSync(home)) return connectionFromKubeconfig(home);
  throw new Error('no Kubernetes connection: set KUBECONFIG, or run in a cluster');
}
