import { jobType } from '@prodclass/kube/objects';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { RunningOperator } from '../../operator/src/operator.js';
import type { LocalRunner } from '../../stack/local-runner/runner.js';
import { createTestDatabase } from '../support/test-database.js';
import { applyCrds, createNamespace, deleteNamespace, waitFor } from './support/cluster.js';
import {
  createPipelineSecret,
  operatorSettings,
  Resources,
  runLocalRunner,
  runOperator,
} from './support/harness.js';

let namespace: string;
let database: { url: string; drop(): Promise<void> };
let operator: RunningOperator;
let runner: LocalRunner;
let resources: Resources;

beforeAll(async () => {
  await applyCrds();
  namespace = await createNamespace('op-data');
  database = await createTestDatabase();
  await createPipelineSecret(namespace, database.url);
  resources = new Resources(namespace);
  operator = await runOperator(operatorSettings(namespace, database.url), async () => {
    throw new Error('no promotion expected in this file');
  });
  runner = await runLocalRunner(namespace);
});

afterAll(async () => {
  await runner?.stop();
  await operator?.stop();
  await deleteNamespace(namespace);
  await database?.drop();
});

const jobPods = (job: string) =>
  resources.getAt(
    `/api/v1/namespaces/${namespace}/pods?labelSelector=batch.kubernetes.io%2Fjob-name%3D${job}`,
  );

const synthetic = { synthetic: { rows: 2000, seed: 7 } };

test('a DataIncrement runs one load Job and reports the data_loads row', async () => {
  await resources.create('DataIncrement', 'dataincrements', 'initial', { source: synthetic, toPercent: 40 });
  const loaded = await resources.until(
    'dataincrements',
    'initial',
    (o) => o.status?.phase === 'Succeeded',
    120_000,
  );
  expect(loaded.status).toMatchObject({
    dataVersion: 'initial',
    jobName: 'initial-load',
    rowsAdded: 800,
    totalRows: 800,
    percentage: 40,
    observedGeneration: 1,
  });
  expect(loaded.status.datasetFingerprint).toMatch(/\w{16,}/);
  // The local runner plays the kubelet: the Job's Pod ends with the load's result as its message.
  const [pod, ...others] = (await jobPods('initial-load')).items;
  expect(others).toHaveLength(0);
  expect(pod.metadata.ownerReferences[0]).toMatchObject({
    kind: 'Job',
    name: 'initial-load',
    controller: true,
  });
  expect(pod.status.phase).toBe('Succeeded');
  expect(JSON.parse(pod.status.containerStatuses[0].state.terminated.message)).toEqual({
    kind: 'load',
    dataVersion: 'initial',
    rowsAdded: 800,
    totalRows: 800,
    percentage: 40,
    datasetFingerprint: loaded.status.datasetFingerprint,
    completedAt: expect.any(String),
  });
  expect(Resources.condition(loaded, 'Ready')).toMatchObject({ status: 'True', observedGeneration: 1 });
  expect(Resources.condition(loaded, 'Loaded')).toMatchObject({ status: 'True', reason: 'Loaded' });

  const job = await resources.getAt(jobType.path(namespace, 'initial-load'));
  expect(job.metadata.ownerReferences).toEqual([
    expect.objectContaining({
      kind: 'DataIncrement',
      name: 'initial',
      uid: loaded.metadata.uid,
      controller: true,
    }),
  ]);
  expect(job.spec.template.spec.containers[0].args).toEqual([
    'data',
    'load',
    '--source',
    'synthetic',
    '--synthetic-rows',
    '2000',
    '--synthetic-seed',
    '7',
    '--to-percent',
    '40',
    '--name',
    'initial',
    '--seed',
    '42',
  ]);
  // The restricted Pod Security profile: non-root, no privilege escalation, read-only root.
  expect(job.spec.template.spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
  expect(job.spec.template.spec.containers[0].securityContext).toMatchObject({
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ['ALL'] },
  });
  await waitFor('the JobCreated and Loaded events', async () => {
    const events = await resources.getAt(`/api/v1/namespaces/${namespace}/events`);
    const reasons = events.items
      .filter((e: { involvedObject: { name: string } }) => e.involvedObject.name === 'initial')
      .map((e: { reason: string }) => e.reason);
    return reasons.includes('JobCreated') && reasons.includes('Loaded');
  });
});

test('an increment grows the catalog by its percentage points, under its dataVersion', async () => {
  await resources.create('DataIncrement', 'dataincrements', 'week-2', {
    source: synthetic,
    incrementPercent: 3,
    dataVersion: 'week_2',
  });
  const loaded = await resources.until(
    'dataincrements',
    'week-2',
    (o) => o.status?.phase === 'Succeeded',
    120_000,
  );
  expect(loaded.status).toMatchObject({
    dataVersion: 'week_2',
    rowsAdded: 60,
    totalRows: 860,
    percentage: 43,
  });
});

test('the API server refuses a spec that sets both dataVersion and its deprecated name loadName', async () => {
  await expect(
    resources.create('DataIncrement', 'dataincrements', 'both-names', {
      source: synthetic,
      incrementPercent: 3,
      dataVersion: 'week_3',
      loadName: 'week_3',
    }),
  ).rejects.toThrow(/set at most one of dataVersion and its deprecated name loadName/);
});

test('a DataIncrement for a load that is already recorded succeeds without running anything', async () => {
  // Named with the deprecated spec.loadName, which is still read as the data version.
  await resources.create('DataIncrement', 'dataincrements', 'again', {
    source: synthetic,
    toPercent: 40,
    loadName: 'initial',
  });
  const loaded = await resources.until('dataincrements', 'again', (o) => o.status?.phase === 'Succeeded');
  expect(loaded.status).toMatchObject({ dataVersion: 'initial', totalRows: 800 });
  expect(loaded.status.jobName).toBeUndefined();
  await expect(resources.getAt(jobType.path(namespace, 'again-load'))).rejects.toThrow(/404/);
});

test('a load Job that fails makes the DataIncrement Failed with the reason', async () => {
  await resources.create('DataIncrement', 'dataincrements', 'missing-files', {
    source: { files: { path: '/nonexistent/rakuten' } },
    incrementPercent: 3,
  });
  const failed = await resources.until(
    'dataincrements',
    'missing-files',
    (o) => o.status?.phase === 'Failed',
    120_000,
  );
  expect(Resources.condition(failed, 'Loaded')).toMatchObject({ status: 'False', reason: 'JobFailed' });
  // A failed container's message falls back to the end of its log (FallbackToLogsOnError).
  const pods = (await jobPods('missing-files-load')).items;
  expect(pods).toHaveLength(2);
  for (const pod of pods) {
    expect(pod.status.phase).toBe('Failed');
    expect(pod.status.containerStatuses[0].state.terminated).toMatchObject({
      exitCode: 1,
      message: expect.stringMatching(/^prodclass: .*nonexistent/m),
    });
  }
  expect(Resources.condition(failed, 'Ready')?.status).toBe('False');
});
