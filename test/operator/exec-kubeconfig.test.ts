import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KubeApi } from '@prodclass/kube/api';
import { loadConnection } from '@prodclass/kube/connection';
import { type KubeObject, resourceType } from '@prodclass/kube/objects';
import yaml from 'js-yaml';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { stackEnv } from '../support/stack-env.js';

// The operator's connection through a kubeconfig whose user is an exec credential plugin, as on
// EKS, GKE and AKS: here a fake plugin that hands out the local API server's admin token.

const namespaceType = resourceType('v1', 'Namespace', 'namespaces');
let dir: string;
let server: string;
let adminToken: string;

beforeAll(() => {
  const admin = yaml.load(fs.readFileSync(stackEnv().KUBECONFIG, 'utf8')) as {
    clusters: [{ cluster: { server: string } }];
    users: [{ user: { token: string } }];
  };
  server = admin.clusters[0].cluster.server;
  adminToken = admin.users[0].user.token;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'exec-kubeconfig-'));
  fs.mkdirSync(path.join(dir, 'bin'));
  // Counts its runs, then prints the file `answer` (or fails the way a logged-out CLI does).
  fs.writeFileSync(
    path.join(dir, 'bin', 'fake-cloud-auth'),
    `#!/bin/sh
echo "$*" >> "$FAKE_AUTH_DIR/runs"
if [ ! -f "$FAKE_AUTH_DIR/answer" ]; then echo "fake-cloud-auth: not logged in" >&2; exit 1; fi
cat "$FAKE_AUTH_DIR/answer"
`,
    { mode: 0o755 },
  );
});

afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

function answer(token: string): void {
  const credential = {
    apiVersion: 'client.authentication.k8s.io/v1',
    kind: 'ExecCredential',
    status: { token, expirationTimestamp: new Date(Date.now() + 15 * 60_000).toISOString() },
  };
  fs.writeFileSync(path.join(dir, 'answer'), JSON.stringify(credential));
}

const runs = () =>
  fs.existsSync(path.join(dir, 'runs'))
    ? fs.readFileSync(path.join(dir, 'runs'), 'utf8').split('\n').filter(Boolean).length
    : 0;

/** A fresh kubeconfig (so a fresh credential cache) whose user runs bin/fake-cloud-auth. */
function execConnection(command = './bin/fake-cloud-auth') {
  const file = path.join(dir, 'kubeconfig');
  fs.writeFileSync(
    file,
    yaml.dump({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'cloud', cluster: { server, 'insecure-skip-tls-verify': true } }],
      users: [
        {
          name: 'cloud-user',
          user: {
            exec: {
              apiVersion: 'client.authentication.k8s.io/v1',
              command,
              args: ['token', '--cluster', 'cloud'],
              env: [{ name: 'FAKE_AUTH_DIR', value: dir }],
              interactiveMode: 'Never',
              installHint: 'Install fake-cloud-auth from the fake cloud console.',
            },
          },
        },
      ],
      contexts: [{ name: 'cloud', context: { cluster: 'cloud', user: 'cloud-user' } }],
      'current-context': 'cloud',
    }),
  );
  return loadConnection({ KUBECONFIG: file });
}

test('lists and gets resources with the token from an exec plugin, which runs once for many requests', async () => {
  answer(adminToken);
  const before = runs();
  const api = new KubeApi(execConnection());
  const [namespaces, kubeSystem, defaultNamespace] = await Promise.all([
    api.list(namespaceType),
    api.request<KubeObject>('GET', namespaceType.path(undefined, 'kube-system')),
    api.request<KubeObject>('GET', namespaceType.path(undefined, 'default')),
  ]);
  expect(namespaces.items.map((n) => n.metadata.name)).toContain('default');
  expect(kubeSystem.metadata.name).toBe('kube-system');
  expect(defaultNamespace.metadata.name).toBe('default');

  const events: string[] = [];
  await api.watch(
    namespaceType.path(),
    { timeoutSeconds: '1', resourceVersion: namespaces.metadata.resourceVersion },
    (event) => events.push(event.type),
    new AbortController().signal,
  );
  expect(runs() - before).toBe(1);
  expect(fs.readFileSync(path.join(dir, 'runs'), 'utf8').trim().split('\n').at(-1)).toBe(
    'token --cluster cloud',
  );
});

test('a token the API server refuses (401) runs the plugin again and the request is retried once', async () => {
  answer('revoked-token');
  const connection = execConnection();
  const api = new KubeApi(connection);
  await connection.credential();
  const before = runs();
  answer(adminToken);
  const read = await api.request<KubeObject>('GET', namespaceType.path(undefined, 'default'));
  expect(read.metadata.name).toBe('default');
  expect(runs() - before).toBe(1);

  answer('still-revoked');
  const refusing = new KubeApi(execConnection());
  const start = runs();
  await expect(refusing.list(namespaceType)).rejects.toMatchObject({ status: 401 });
  expect(runs() - start).toBe(2);
});

test('a failing or missing plugin: requests fail with its message', async () => {
  fs.rmSync(path.join(dir, 'answer'), { force: true });
  await expect(new KubeApi(execConnection()).list(namespaceType)).rejects.toThrow(
    /user cloud-user: exec plugin \.\/bin\/fake-cloud-auth: exited with code 1: fake-cloud-auth: not logged in$/,
  );
  await expect(new KubeApi(execConnection('fake-cloud-auth')).list(namespaceType)).rejects.toThrow(
    'exec plugin fake-cloud-auth: command not found. Install fake-cloud-auth from the fake cloud console.',
  );
});
