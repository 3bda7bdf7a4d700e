import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { KubeApi } from '@prodclass/kube/api';
import { deploymentType, serviceType } from '@prodclass/kube/objects';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { registryPromote } from '../../operator/src/external/registry-promotion.js';
import type { RunningOperator } from '../../operator/src/operator.js';
import type { LocalRunner } from '../../stack/local-runner/runner.js';
import { stackEnv } from '../support/stack-env.js';
import { createTestDatabase } from '../support/test-database.js';
import {
  adminConnection,
  applyCrds,
  createNamespace,
  deleteNamespace,
  kubectl,
  waitFor,
} from './support/cluster.js';
import {
  createPipelineSecret,
  finishJob,
  operatorSettings,
  Resources,
  repository,
  runLocalRunner,
  runOperator,
} from './support/harness.js';
import { aliasVersion, recordTraining } from './support/mlflow.js';

// The operator authenticated as its ServiceAccount (the admin kubeconfig impersonating it), with
// exactly the permissions of manifests/rbac/, drives every kind of resource.
const serviceAccount = 'system:serviceaccount:prodclass-system:prodclass-operator';
const rbacDir = path.join(repository, 'manifests/rbac');
const suffix = randomBytes(4).toString('hex');
const registeredModel = `op_rbac_${suffix}`;
const experiment = `op_rbac_${suffix}`;
let namespace: string;
let database: { url: string; drop(): Promise<void> };
let operator: RunningOperator;
let runner: LocalRunner;
let resources: Resources;

beforeAll(async () => {
  await applyCrds();
  await kubectl('apply', '-f', path.join(rbacDir, 'namespace.yaml'));
  await kubectl('apply', '-f', rbacDir);
  namespace = await createNamespace('op-rbac');
  database = await createTestDatabase();
  await createPipelineSecret(namespace, database.url);
  resources = new Resources(namespace);
  const settings = { ...operatorSettings(namespace, database.url), leaseNamespace: 'prodclass-system' };
  operator = await runOperator(
    settings,
    registryPromote(database.url, stackEnv().MLFLOW_TRACKING_URI),
    adminConnection(serviceAccount),
  );
  runner = await runLocalRunner(namespace, ['data-load']);
});

afterAll(async () => {
  await runner?.stop();
  await operator?.stop();
  await deleteNamespace(namespace);
  await database?.drop();
});

test('the RBAC manifests grant no wildcards and no access to Secrets', async () => {
  for (const file of fs.readdirSync(rbacDir)) {
    const text = fs.readFileSync(path.join(rbacDir, file), 'utf8');
    expect(text, file).not.toMatch(/['"]\*['"]|\[\s*\*\s*\]|:\s*\*\s*$/m);
    expect(text, file).not.toMatch(/\bsecrets\b/);
  }
  const asOperator = new KubeApi(adminConnection(serviceAccount));
  await expect(asOperator.request('GET', `/api/v1/namespaces/${namespace}/secrets`)).rejects.toThrow(/403/);
  // Pods are read (a finished Job's result is its termination message), never made or changed.
  await asOperator.request('GET', `/api/v1/namespaces/${namespace}/pods`);
  await expect(asOperator.request('DELETE', `/api/v1/namespaces/${namespace}/pods/any`)).rejects.toThrow(
    /403/,
  );
  await expect(
    asOperator.request('GET', `/api/v1/namespaces/${namespace}/pods`, { query: { watch: 'true' } }),
  ).rejects.toThrow(/403/);
});

test('as its ServiceAccount the operator leads, loads, trains, promotes and serves', async () => {
  await kubectl(
    'wait',
    '--for=jsonpath={.spec.holderIdentity}',
    '-n',
    'prodclass-system',
    'lease/prodclass-operator',
  );
  expect(operator.leading).toBe(true);

  await resources.create('DataIncrement', 'dataincrements', 'initial', {
    source: { synthetic: { rows: 1000 } },
    toPercent: 40,
  });
  await resources.until('dataincrements', 'initial', (o) => o.status?.phase === 'Succeeded', 120_000);

  // This file plays the training Job: it records what `prodclass train` would and completes the Job.
  const runSpec = { dataVersion: 'initial', registeredModel, experiment };
  await resources.create('TrainingRun', 'trainingruns', 'first', runSpec);
  await resources.until('trainingruns', 'first', (o) => o.status?.jobName === 'first-train');
  const { version, result } = await recordTraining({
    experiment,
    registeredModel,
    trainingRun: `${namespace}/first`,
    f1: 0.8,
    decision: 'promote',
  });
  await finishJob(namespace, 'first-train', 'Complete', result);
  await resources.until('modelpromotions', 'first-promotion', (o) => o.status?.phase === 'Succeeded');
  expect(await aliasVersion(registeredModel, 'production')).toBe(version);

  await resources.create('PredictionService', 'predictionservices', 'classifier', { registeredModel });
  const service = await resources.until('predictionservices', 'classifier', (o) =>
    Boolean(Resources.condition(o, 'ModelResolved')?.status === 'True'),
  );
  expect(Resources.condition(service, 'PrimaryReady')?.status).toBe('False');
  const deployment = await resources.getAt(deploymentType.path(namespace, 'classifier-primary'));
  expect(deployment.spec.template.metadata.annotations['mlops.prodclass.dev/model-version']).toBe(version);
  await resources.getAt(serviceType.path(namespace, 'classifier'));
});

test('as its ServiceAccount the operator runs a RetrainSchedule tick and deletes it past the history limit', async () => {
  // One real one-minute tick whose load fails (no such files), so that failedHistoryLimit 0 deletes it.
  await resources.create('RetrainSchedule', 'retrainschedules', 'minutely', {
    schedule: '* * * * *',
    failedHistoryLimit: 0,
    dataIncrement: { source: { files: { path: '/nonexistent/rakuten' } }, incrementPercent: 3 },
    trainingRun: { registeredModel, experiment },
  });
  const started = await resources.until(
    'retrainschedules',
    'minutely',
    (o) => o.status?.lastTick?.outcome === 'Started',
    75_000,
  );
  const tick = `minutely-${Math.floor(Date.parse(started.status.lastScheduleTime) / 60_000)}`;
  // Its TrainingRun fails with the load, and the finished tick is deleted at once.
  const gone = (plural: string) =>
    resources.get(plural, tick).then(
      () => false,
      (error: Error) => /404/.test(error.message),
    );
  await waitFor(
    `tick ${tick} to be deleted`,
    async () => (await gone('trainingruns')) && (await gone('dataincrements')),
    90_000,
  );
}, 180_000);

test('as its ServiceAccount the operator records a DriftAcknowledgement and makes its DriftMonitor its owner', async () => {
  // A model with no predictions: the first check is an InsufficientData report, enough to acknowledge.
  await resources.create('DriftMonitor', 'driftmonitors', 'quiet', { registeredModel });
  const monitor = await resources.until('driftmonitors', 'quiet', (o) => o.status?.lastReport);
  await resources.create('DriftAcknowledgement', 'driftacknowledgements', 'quiet-seen', {
    driftMonitor: 'quiet',
    report: monitor.status.lastReport.id,
    action: 'investigate',
    by: 'alice',
  });
  const recorded = await resources.until(
    'driftacknowledgements',
    'quiet-seen',
    (o) => o.status?.phase === 'Recorded',
  );
  expect(recorded.metadata.ownerReferences).toEqual([
    expect.objectContaining({ kind: 'DriftMonitor', name: 'quiet', uid: monitor.metadata.uid }),
  ]);
});
