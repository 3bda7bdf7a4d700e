import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { locateBinary } from '../binaries.js';
import { localDir, logFileOf } from '../paths.js';
import { answersOk, isAlive, startDetached, stopGroup, waitUntil } from '../processes.js';
import type { Service } from '../service.js';
import type { StackState } from '../state.js';

const kubeDir = path.join(localDir, 'kubernetes');
const pkiDir = path.join(kubeDir, 'pki');
export const kubeconfigFile = path.join(localDir, 'kubeconfig');

export const etcd: Service = {
  name: 'etcd',
  logFile: logFileOf('etcd'),
  url: (state) => `http://127.0.0.1:${state.ports.etcd}`,
  answers(state) {
    return answersOk(`${this.url(state)}/health`);
  },
  prepare: (progress) => locateBinary('etcd', progress).then(() => undefined),
  async start(state, progress) {
    const binary = await locateBinary('etcd', progress);
    const logFile = this.logFile;
    const peer = `http://127.0.0.1:${state.ports.etcdPeer}`;
    const pid = startDetached(
      binary,
      [
        '--name=prodclass',
        `--data-dir=${path.join(kubeDir, 'etcd')}`,
        `--listen-client-urls=${this.url(state)}`,
        `--advertise-client-urls=${this.url(state)}`,
        `--listen-peer-urls=${peer}`,
        `--initial-advertise-peer-urls=${peer}`,
        `--initial-cluster=prodclass=${peer}`,
        '--unsafe-no-fsync',
        '--log-level=warn',
      ],
      logFile,
    );
    await waitUntil(
      'etcd',
      logFile,
      30_000,
      () => this.answers(state),
      () => isAlive(pid),
    );
    return pid;
  },
  async stop(state) {
    if (state.pids.etcd) await stopGroup(state.pids.etcd);
  },
};

function writeCredentials(state: StackState): void {
  fs.mkdirSync(pkiDir, { recursive: true });
  const signingKey = path.join(pkiDir, 'service-account.key');
  if (!fs.existsSync(signingKey)) {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    fs.writeFileSync(signingKey, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    fs.writeFileSync(
      path.join(pkiDir, 'service-account.pub'),
      publicKey.export({ type: 'spki', format: 'pem' }),
    );
  }
  fs.writeFileSync(path.join(kubeDir, 'tokens.csv'), `${state.kubeToken},admin,admin,"system:masters"\n`, {
    mode: 0o600,
  });
}

export function writeKubeconfig(state: StackState): void {
  const kubeconfig = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: 'prodclass-local',
        cluster: {
          server: `https://127.0.0.1:${state.ports['kube-apiserver']}`,
          'insecure-skip-tls-verify': true,
        },
      },
    ],
    users: [{ name: 'admin', user: { token: state.kubeToken } }],
    contexts: [{ name: 'prodclass-local', context: { cluster: 'prodclass-local', user: 'admin' } }],
    'current-context': 'prodclass-local',
  };
  fs.writeFileSync(kubeconfigFile, `${JSON.stringify(kubeconfig, null, 2)}\n`, { mode: 0o600 });
}

/** GET /readyz with the admin token; the serving certificate is self-signed, so it is not verified. */
function readyz(state: StackState): Promise<boolean> {
  return new Promise((resolve) => {
    const request = https.get(
      {
        host: '127.0.0.1',
        port: state.ports['kube-apiserver'],
        path: '/readyz',
        headers: { authorization: `Bearer ${state.kubeToken}` },
        rejectUnauthorized: false,
        timeout: 2000,
      },
      (response) => {
        response.resume();
        resolve(response.statusCode === 200);
      },
    );
    request.on('error', () => resolve(false));
    request.on('timeout', () => request.destroy());
  });
}

export const kubeApiserver: Service = {
  name: 'kube-apiserver',
  logFile: logFileOf('kube-apiserver'),
  url: (state) => `https://127.0.0.1:${state.ports['kube-apiserver']}`,
  answers: readyz,
  prepare: (progress) => locateBinary('kube-apiserver', progress).then(() => undefined),
  async start(state, progress) {
    const binary = await locateBinary('kube-apiserver', progress);
    const logFile = this.logFile;
    writeCredentials(state);
    writeKubeconfig(state);
    const pid = startDetached(
      binary,
      [
        `--etcd-servers=${etcd.url(state)}`,
        `--cert-dir=${pkiDir}`,
        `--secure-port=${state.ports['kube-apiserver']}`,
        '--bind-address=127.0.0.1',
        '--advertise-address=127.0.0.1',
        '--authorization-mode=RBAC',
        `--token-auth-file=${path.join(kubeDir, 'tokens.csv')}`,
        '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
        `--service-account-key-file=${path.join(pkiDir, 'service-account.pub')}`,
        `--service-account-signing-key-file=${path.join(pkiDir, 'service-account.key')}`,
        '--service-cluster-ip-range=10.0.0.0/24',
        '--allow-privileged=true',
        '--v=1',
      ],
      logFile,
    );
    await waitUntil(
      'kube-apiserver',
      logFile,
      120_000,
      () => readyz(state),
      () => isAlive(pid),
    );
    return pid;
  },
  async stop(state) {
    if (state.pids['kube-apiserver']) await stopGroup(state.pids['kube-apiserver']);
  },
};
