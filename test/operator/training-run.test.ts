import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { controllerReference, jobType } from '@prodclass/kube/objects';
import pg from 'pg';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { cliJob } from '../../operator/src/children/jobs.js';
import { registryPromote } from '../../operator/src/external/registry-promotion.js';
import type { RunningOperator } from '../../operator/src/operator.js';
import type { TrainingRun } from '../../operator/src/resources/types.js';
import { stackEnv } from '../support/stack-env.js';
import { createTestDatabase } from '../support/test-database.js';
import { applyCrds, createNamespace, deleteNamespace, waitFor } from './support/cluster.js';
import { finishJob, operatorSettings, Resources, repository, runOperator } from './support/harness.js';
import { aliasVersion, mlflow, recordTraining, runsTagged } from './support/mlflow.js';

// This file plays the part of the training Jobs (no local runner here): it records in MLflow what
// `prodclass train` would, reports its result from the Job's Pod and marks the Jobs complete, so
// every branch of the reconciler is reached.
const suffix = randomBytes(4).toString('hex');
const registeredModel = `op_tr_${suffix}`;
const experiment = `op_tr_${suffix}`;
let namespace: string;
let database: { url: string; drop(): Promise<void> };
let operator: RunningOperator;
let resources: Resources;

// Resyncs would reconcile every run now and then; without them a reconcile follows an event.
const settings = () => ({ ...operatorSettings(namespace, database.url), resyncMs: 3_600_000 });
const promote = () => registryPromote(database.url, stackEnv().MLFLOW_TRACKING_URI);

/** TrainingRun reconciles this operator has finished, whatever their result. */
async function reconciles(): Promise<number> {
  const { values } = await operator.metrics.reconciles.get();
  return values.filter((v) => v.labels.kind === 'TrainingRun').reduce((sum, v) => sum + v.value, 0);
}

beforeAll(async () => {
  await applyCrds();
  namespace = await createNamespace('op-train');
  database = await createTestDatabase();
  resources = new Resources(namespace);
  operator = await runOperator(settings(), promote());
});

afterAll(async () => {
  await operator?.stop();
  await deleteNamespace(namespace);
  await database?.drop();
});

const spec = (extra: object = {}) => ({ registeredModel, experiment, ...extra });

test('a TrainingRun waits for its DataIncrement, then trains on its load', async () => {
  await resources.create('TrainingRun', 'trainingruns', 'on-load', spec({ dataVersion: 'catalog-40' }));
  const waiting = await resources.until('trainingruns', 'on-load', (o) => o.status?.phase === 'Pending');
  expect(Resources.condition(waiting, 'DataReady')).toMatchObject({
    status: 'False',
    reason: 'DataIncrementNotFound',
  });
  await expect(resources.getAt(jobType.path(namespace, 'on-load-train'))).rejects.toThrow(/404/);

  // The load already happened outside Kubernetes; the DataIncrement adopts it without a Job.
  await promisify(execFile)(
    process.execPath,
    [
      path.join(repository, 'trainer-job/dist/cli.js'),
      ...[
        'data',
        'load',
        '--source',
        'synthetic',
        '--synthetic-rows',
        '1000',
        '--to-percent',
        '40',
        '--name',
        'load_40',
      ],
    ],
    { env: { ...process.env, DATABASE_URL: database.url } },
  );
  await resources.create('DataIncrement', 'dataincrements', 'catalog-40', {
    source: { synthetic: { rows: 1000 } },
    toPercent: 40,
    dataVersion: 'load_40',
  });
  const running = await resources.until(
    'trainingruns',
    'on-load',
    (o) => o.status?.jobName === 'on-load-train',
  );
  expect(running.status.dataVersion).toBe('load_40');
  const job = await resources.getAt(jobType.path(namespace, 'on-load-train'));
  const args: string[] = job.spec.template.spec.containers[0].args;
  expect(args.slice(0, 3)).toEqual(['train', '--data-version', 'load_40']);
  expect(args).toEqual(expect.arrayContaining(['--tag', `prodclass.dev/trainingrun=${namespace}/on-load`]));
  expect(args).toEqual(
    expect.arrayContaining(['--decide-promotion', '--min-f1', '0.7', '--alias', 'production']),
  );
  expect(job.spec.backoffLimit).toBe(1);
  expect(job.spec.activeDeadlineSeconds).toBe(3600);
  expect(job.metadata.ownerReferences[0]).toMatchObject({
    kind: 'TrainingRun',
    name: 'on-load',
    controller: true,
  });
});

test('a DataIncrement that succeeded before the rename (status.loadName only) is still trained on', async () => {
  // Its status as an earlier operator wrote it; a finished increment is not written again.
  await resources.api.request('PATCH', `${resources.path('dataincrements', 'catalog-40')}/status`, {
    body: { status: { dataVersion: null, loadName: 'load_40' } },
    contentType: 'application/merge-patch+json',
  });
  const old = await resources.get('dataincrements', 'catalog-40');
  expect(old.status).toMatchObject({ phase: 'Succeeded', loadName: 'load_40' });
  expect(old.status.dataVersion).toBeUndefined();
  await resources.create('TrainingRun', 'trainingruns', 'on-old-load', spec({ dataVersion: 'catalog-40' }));
  const running = await resources.until(
    'trainingruns',
    'on-old-load',
    (o) => o.status?.jobName === 'on-old-load-train',
  );
  expect(running.status.dataVersion).toBe('load_40');
  const job = await resources.getAt(jobType.path(namespace, 'on-old-load-train'));
  expect(job.spec.template.spec.containers[0].args.slice(0, 3)).toEqual([
    'train',
    '--data-version',
    'load_40',
  ]);
});

test('a rejected challenger: metrics and version reported, no ModelPromotion', async () => {
  await resources.create('TrainingRun', 'trainingruns', 'weak', spec());
  await resources.until('trainingruns', 'weak', (o) => o.status?.jobName === 'weak-train');
  const { runId, version, result } = await recordTraining({
    experiment,
    registeredModel,
    trainingRun: `${namespace}/weak`,
    f1: 0.42,
    decision: 'reject',
  });
  await finishJob(namespace, 'weak-train', 'Complete', result);
  const done = await resources.until('trainingruns', 'weak', (o) => o.status?.phase === 'Succeeded');
  expect(done.status).toMatchObject({
    mlflowRunId: runId,
    modelVersion: version,
    f1: '0.420',
    metrics: { f1Weighted: 0.42, accuracy: 0.44 },
    promotion: { decision: 'reject' },
  });
  expect(Resources.condition(done, 'Promoted')).toMatchObject({ status: 'False', reason: 'Rejected' });
  expect(Resources.condition(done, 'Ready')).toMatchObject({ status: 'True', observedGeneration: 1 });
  await expect(resources.get('modelpromotions', 'weak-promotion')).rejects.toThrow(/404/);
});

test('a promote decision creates an owned ModelPromotion that moves the alias', async () => {
  await resources.create('TrainingRun', 'trainingruns', 'strong', spec());
  await resources.until('trainingruns', 'strong', (o) => o.status?.jobName === 'strong-train');
  const { version, result } = await recordTraining({
    experiment,
    registeredModel,
    trainingRun: `${namespace}/strong`,
    f1: 0.81,
    decision: 'promote',
  });
  await finishJob(namespace, 'strong-train', 'Complete', result);
  const done = await resources.until(
    'trainingruns',
    'strong',
    (o) => Resources.condition(o, 'Promoted')?.status === 'True',
  );
  expect(done.status.promotion).toMatchObject({ decision: 'promote', modelPromotion: 'strong-promotion' });
  const promotion = await resources.get('modelpromotions', 'strong-promotion');
  expect(promotion.spec).toMatchObject({ registeredModel, version: Number(version), alias: 'production' });
  expect(promotion.metadata.ownerReferences[0]).toMatchObject({
    kind: 'TrainingRun',
    name: 'strong',
    uid: done.metadata.uid,
  });
  expect(promotion.status.phase).toBe('Succeeded');
  expect(await aliasVersion(registeredModel, 'production')).toBe(version);
  // The registry's promotion module recorded it, as in production.
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  const { rows } = await client
    .query('select version, decision from promotions where registered_model = $1', [registeredModel])
    .finally(() => client.end());
  expect(rows).toEqual([{ version: Number(version), decision: 'promoted' }]);
});

test('a failed training Job fails the run with the Job reason', async () => {
  await resources.create('TrainingRun', 'trainingruns', 'broken', spec());
  await resources.until('trainingruns', 'broken', (o) => o.status?.jobName === 'broken-train');
  await finishJob(namespace, 'broken-train', 'Failed');
  const failed = await resources.until('trainingruns', 'broken', (o) => o.status?.phase === 'Failed');
  expect(Resources.condition(failed, 'Trained')).toMatchObject({
    status: 'False',
    reason: 'JobFailed',
    message: 'boom',
  });
});

test('deleting a TrainingRun leaves nothing to reconcile; its Job names it as owner for the garbage collector', async () => {
  const job = await resources.getAt(jobType.path(namespace, 'broken-train'));
  const run = await resources.get('trainingruns', 'broken');
  expect(job.metadata.ownerReferences).toEqual([
    {
      apiVersion: 'mlops.prodclass.dev/v1alpha1',
      kind: 'TrainingRun',
      name: 'broken',
      uid: run.metadata.uid,
      controller: true,
      blockOwnerDeletion: true,
    },
  ]);
  const errors = async () =>
    (await operator.metrics.errors.get()).values.find((v) => v.labels.kind === 'TrainingRun')?.value ?? 0;
  const errorsBefore = await errors();
  const reconcilesBefore = await reconciles();
  await resources.api.request('DELETE', resources.path('trainingruns', 'broken'));
  await waitFor('the deletion to be reconciled', async () => (await reconciles()) > reconcilesBefore);
  // Without a garbage collector the Job stays; its next event reconciles a key whose object is gone.
  const reconcilesAfterDeletion = await reconciles();
  await resources.api.mergePatch(jobType, namespace, 'broken-train', {
    metadata: { labels: { touched: 'yes' } },
  });
  await waitFor('the Job event to be reconciled', async () => (await reconciles()) > reconcilesAfterDeletion);
  expect(await errors()).toBe(errorsBefore);
});

test('a Job left by an operator that died before writing status is adopted, never duplicated', async () => {
  // The previous operator created the Job and died; the new one sees a TrainingRun with no status.
  await operator.stop();
  const run = (await resources.create(
    'TrainingRun',
    'trainingruns',
    'adopted',
    spec(),
  )) as unknown as TrainingRun;
  await resources.api.create(
    jobType,
    namespace,
    cliJob(settings(), {
      name: 'adopted-train',
      namespace,
      owner: controllerReference(run),
      component: 'training',
      args: ['train'],
      backoffLimit: 1,
    }),
  );
  operator = await runOperator(settings(), promote());
  await resources.until('trainingruns', 'adopted', (o) => o.status?.jobName === 'adopted-train');
  const { result } = await recordTraining({
    experiment,
    registeredModel,
    trainingRun: `${namespace}/adopted`,
    f1: 0.3,
    decision: 'reject',
  });
  await finishJob(namespace, 'adopted-train', 'Complete', result);
  await resources.until('trainingruns', 'adopted', (o) => o.status?.phase === 'Succeeded');

  // Restarted again after success, the operator reconciles every run once and creates nothing more.
  // Its start queues every run; with one worker taking keys in order, a run created afterwards is
  // reconciled (its Job recorded) only once those before it were.
  await operator.stop();
  operator = await runOperator({ ...settings(), concurrency: 1 }, promote());
  await resources.create('TrainingRun', 'trainingruns', 'after-restart', spec());
  await resources.until('trainingruns', 'after-restart', (o) => o.status?.jobName === 'after-restart-train');
  const jobs = await resources.getAt(
    `${jobType.path(namespace)}?labelSelector=app.kubernetes.io%2Finstance%3Dadopted`,
  );
  expect(jobs.items).toHaveLength(1);
  expect(await runsTagged(experiment, `${namespace}/adopted`)).toBe(1);
  const { model_versions } = await mlflow<{ model_versions: unknown[] }>(
    'GET',
    `model-versions/search?filter=${encodeURIComponent(`name='${registeredModel}'`)}`,
  );
  expect(model_versions).toHaveLength(3);
});

test('spec.feedback reaches the training Job as --feedback-since and --feedback-source', async () => {
  const feedback = { since: '2026-12-01T00:00:00+01:00', sources: ['catalog', 'api'] };
  await resources.create('TrainingRun', 'trainingruns', 'with-feedback', spec({ feedback }));
  await resources.until('trainingruns', 'with-feedback', (o) => o.status?.jobName === 'with-feedback-train');
  expect((await resources.get('trainingruns', 'with-feedback')).spec.feedback).toEqual(feedback);
  const job = await resources.getAt(jobType.path(namespace, 'with-feedback-train'));
  const args: string[] = job.spec.template.spec.containers[0].args;
  expect(args.join(' ')).toContain(
    '--feedback-since 2026-12-01T00:00:00+01:00 --feedback-source catalog --feedback-source api',
  );
  await expect(
    resources.create(
      'TrainingRun',
      'trainingruns',
      'bad-feedback',
      spec({ feedback: { since: 'yesterday' } }),
    ),
  ).rejects.toThrow(/since/);
});
