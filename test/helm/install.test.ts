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
  run,
} from './support/commands.js';

// The test API server runs no kubelet: pods never start, so this checks that `helm install` creates
// every object (and that an upgrade keeps the generated password), not that the pods work. Nor does
// it run a Job controller: the test completes the migration hook Job that helm waits for.
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

interface HookRun {
  /** The operator's LOG_LEVEL when the hook Job appeared: what the release ran before the hook. */
  operatorLogLevel: string | undefined;
}

/**
 * Waits for the release's db-migrate hook Job, notes what the operator looked like then, and marks
 * the Job complete as the Job controller would once `prodclass db migrate` exited 0.
 */
async function completeMigrationJob(): Promise<HookRun> {
  const job = `${release}-prodclass-db-migrate`;
  const deadline = Date.now() + 120_000;
  while ((await run('kubectl', ['-n', namespace, 'get', 'job', job])).code !== 0) {
    if (Date.now() > deadline) throw new Error(`helm never created the hook Job ${job}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const operator = await run('kubectl', [
    '-n',
    namespace,
    'get',
    'deployment',
    `${release}-prodclass-operator`,
    '-o',
    `jsonpath={.spec.template.spec.containers[0].env[?(@.name=="LOG_LEVEL")].value}`,
  ]);
  const started = new Date(Date.now() - 1000).toISOString().replace(/\.\d+Z$/, 'Z');
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const done = { type: 'Complete', status: 'True', lastTransitionTime: now, reason: 'CompletionsReached' };
  await kubectl([
    '-n',
    namespace,
    'patch',
    'job',
    job,
    '--subresource=status',
    '--type=merge',
    '-p',
    JSON.stringify({
      status: {
        startTime: started,
        completionTime: now,
        succeeded: 1,
        conditions: [{ ...done, type: 'SuccessCriteriaMet' }, done],
      },
    }),
  ]);
  return { operatorLogLevel: operator.code === 0 ? operator.stdout : undefined };
}

test('helm install creates every object of the release and then migrates; helm upgrade migrates first and keeps the password', async () => {
  // With the bundled PostgreSQL, the database exists only after the install: the hook runs then.
  const [, installHook] = await Promise.all([
    helmOk('install', release, chartDir, '--namespace', namespace),
    completeMigrationJob(),
  ]);
  expect(installHook.operatorLogLevel).toBe('info');
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
  expect(hooks.map((hook) => hook.metadata.annotations?.['helm.sh/hook']).sort()).toEqual([
    'post-install,pre-upgrade',
    'test',
  ]);

  const installed = await password();
  expect(installed).toMatch(/^[A-Za-z0-9]{32}$/);
  // An upgrade migrates before it changes anything: the operator still has its old settings then.
  const [, upgradeHook] = await Promise.all([
    helmOk('upgrade', release, chartDir, '--namespace', namespace, '--set', 'operator.logLevel=debug'),
    completeMigrationJob(),
  ]);
  expect(upgradeHook.operatorLogLevel).toBe('info');
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
