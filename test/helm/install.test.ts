import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, test } from 'vitest';
import {
  chartDir,
  deleteNamespace,
  freshNamespace,
  helm,
  helmOk,
  installCrds,
  kubectl,
  parseManifests,
} from './support/commands.js';

// The test API server runs no kubelet: pods never start, so this checks that `helm install` creates
// every object (and that an upgrade keeps the generated password), not that the pods work.
const release = `pc-${randomBytes(3).toString('hex')}`;
let namespace: string;

beforeAll(async () => {
  await installCrds();
  namespace = await freshNamespace('helm-install');
});

afterAll(async () => {
  if (namespace) {
    await helm('uninstall', release, '--namespace', namespace);
    await deleteNamespace(namespace);
  }
});

async function password(): Promise<string> {
  const encoded = await kubectl([
    '-n',
    namespace,
    'get',
    'secret',
    `${release}-prodclass-postgresql`,
    '-o',
    'jsonpath={.data.POSTGRES_PASSWORD}',
  ]);
  return Buffer.from(encoded, 'base64').toString();
}

test('helm install creates every object of the release, and helm upgrade keeps the password', async () => {
  await helmOk('install', release, chartDir, '--namespace', namespace);
  const objects = parseManifests(await helmOk('get', 'manifest', release, '--namespace', namespace));
  // The stand-in Prometheus Operator CRDs are installed, so its objects are part of the release.
  const kinds = new Set(objects.map((object) => object.kind));
  for (const kind of ['ServiceMonitor', 'PrometheusRule', 'PredictionService', 'StatefulSet'])
    expect(kinds).toContain(kind);
  for (const object of objects) {
    const group = object.apiVersion.includes('/') ? `.${object.apiVersion.split('/')[0]}` : '';
    const found = await kubectl([
      'get',
      `${object.kind}${group}`,
      object.metadata.name,
      '-n',
      namespace,
      '-o',
      'name',
    ]);
    expect(found.trim()).not.toBe('');
  }
  const hooks = parseManifests(await helmOk('get', 'hooks', release, '--namespace', namespace));
  expect(hooks.map((hook) => hook.metadata.annotations?.['helm.sh/hook'])).toEqual(['test']);

  const installed = await password();
  expect(installed).toMatch(/^[A-Za-z0-9]{32}$/);
  await helmOk('upgrade', release, chartDir, '--namespace', namespace, '--set', 'operator.logLevel=debug');
  expect(await password()).toBe(installed);
  const pipelineUrl = await kubectl([
    '-n',
    namespace,
    'get',
    'secret',
    `${release}-prodclass-pipeline`,
    '-o',
    'jsonpath={.data.DATABASE_URL}',
  ]);
  expect(Buffer.from(pipelineUrl, 'base64').toString()).toContain(`:${installed}@`);
});
