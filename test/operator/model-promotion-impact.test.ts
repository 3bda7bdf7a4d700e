import { randomBytes } from 'node:crypto';
import type { ObjectList } from '@prodclass/kube/api';
import { labels } from '@prodclass/kube/labels';
import { jobType } from '@prodclass/kube/objects';
import type { Job } from '@prodclass/kube/workloads';
import type { ImpactResult } from '@prodclass/registry/contract/job-result';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { registryPromote } from '../../operator/src/external/registry-promotion.js';
import type { RunningOperator } from '../../operator/src/operator.js';
import { stackEnv } from '../support/stack-env.js';
import { createTestDatabase } from '../support/test-database.js';
import { applyCrds, createNamespace, deleteNamespace, waitFor } from './support/cluster.js';
import { finishJob, operatorSettings, Resources, runOperator } from './support/harness.js';
import { aliasVersion, mlflow, recordTraining } from './support/mlflow.js';

// ModelPromotion with spec.impactPreview: the preview Job runs and is recorded before the alias
// moves; an operator restarted while the Job runs adopts it. The test plays the Job's part.
const suffix = randomBytes(4).toString('hex');
const registeredModel = `op_impact_${suffix}`;
let namespace: string;
let database: { url: string; drop(): Promise<void> };
let operator: RunningOperator | undefined;
let resources: Resources;
const versions: string[] = [];

const startOperator = () =>
  runOperator(
    operatorSettings(namespace, database.url),
    registryPromote(database.url, stackEnv().MLFLOW_TRACKING_URI),
  );

beforeAll(async () => {
  await applyCrds();
  namespace = await createNamespace('op-impact');
  database = await createTestDatabase();
  resources = new Resources(namespace);
  for (let i = 0; i < 2; i++) {
    const { version } = await recordTraining({
      experiment: registeredModel,
      registeredModel,
      trainingRun: 'none/none',
      f1: 0.7,
      decision: 'promote',
    });
    versions.push(version);
  }
  await mlflow('POST', 'registered-models/alias', {
    name: registeredModel,
    alias: 'production',
    version: versions[0],
  });
  operator = await startOperator();
});

afterAll(async () => {
  await operator?.stop();
  await deleteNamespace(namespace);
  await database?.drop();
});

async function previewJobs(promotion: string): Promise<Job[]> {
  const list = await resources.api.request<ObjectList<Job>>('GET', jobType.path(namespace), {
    query: { labelSelector: `${labels.component}=impact-preview,${labels.instance}=${promotion}` },
  });
  return list.items;
}

test('the impact preview is recorded before the alias moves, and a restart creates no second Job', {
  timeout: 120_000,
}, async () => {
  const [v1, v2] = versions as [string, string];
  await resources.create('ModelPromotion', 'modelpromotions', 'to-v2', {
    registeredModel,
    version: Number(v2),
    reason: 'with a preview',
    impactPreview: true,
  });
  const previewing = await resources.until(
    'modelpromotions',
    'to-v2',
    (o) => Resources.condition(o, 'ImpactPreviewed')?.reason === 'Previewing',
  );
  expect(previewing.status).toMatchObject({ phase: 'Pending', impactPreview: { jobName: 'to-v2-impact' } });
  const [job] = await previewJobs('to-v2');
  expect(job?.spec?.template.spec?.containers[0]?.args).toEqual([
    'model',
    'impact',
    '--registered-model',
    registeredModel,
    '--candidate',
    v2,
    '--champion-alias',
    'production',
    '--data-version',
    'latest',
  ]);
  expect(await aliasVersion(registeredModel, 'production')).toBe(v1);

  // The operator dies while the Job runs; the next one finds the Job instead of creating one.
  await operator?.stop();
  operator = await startOperator();
  const result: ImpactResult = {
    kind: 'impact',
    registeredModel,
    championVersion: v1,
    candidateVersion: v2,
    dataVersion: 'week_3',
    products: 1000,
    changed: 125,
    changedShare: 0.125,
    flips: [
      { from: 10, to: 40, count: 100 },
      { from: 2583, to: 1560, count: 25 },
    ],
  };
  await finishJob(namespace, 'to-v2-impact', 'Complete', result);
  const done = await resources.until('modelpromotions', 'to-v2', (o) => o.status?.phase === 'Succeeded');
  const { kind: _, registeredModel: __, ...figures } = result;
  expect(done.status.impactPreview).toMatchObject({ jobName: 'to-v2-impact', ...figures });
  const previewed = Resources.condition(done, 'ImpactPreviewed');
  expect(previewed).toMatchObject({ status: 'True', reason: 'Previewed', observedGeneration: 1 });
  expect(previewed.message).toMatch(/12\.5% of 1000 products of week_3 would change class/);
  expect(Date.parse(previewed.lastTransitionTime)).toBeLessThanOrEqual(Date.parse(done.status.promotedAt));
  expect(await aliasVersion(registeredModel, 'production')).toBe(v2);
  expect((await previewJobs('to-v2')).map((j) => j.metadata.uid)).toEqual([job?.metadata.uid]);
});

test('without impactPreview no Job runs; a failed preview Job leaves the alias where it was', {
  timeout: 120_000,
}, async () => {
  const [v1, v2] = versions as [string, string];
  await resources.create('ModelPromotion', 'modelpromotions', 'back-to-v1', {
    registeredModel,
    version: Number(v1),
  });
  const direct = await resources.until(
    'modelpromotions',
    'back-to-v1',
    (o) => o.status?.phase === 'Succeeded',
  );
  expect(direct.status.impactPreview).toBeUndefined();
  expect(Resources.condition(direct, 'ImpactPreviewed')).toBeUndefined();
  expect(await previewJobs('back-to-v1')).toEqual([]);

  await resources.create('ModelPromotion', 'modelpromotions', 'failing', {
    registeredModel,
    version: Number(v2),
    impactPreview: true,
  });
  await waitFor('the preview Job', async () => (await previewJobs('failing')).length === 1);
  await finishJob(namespace, 'failing-impact', 'Failed');
  const failed = await resources.until('modelpromotions', 'failing', (o) => o.status?.phase === 'Failed');
  expect(Resources.condition(failed, 'ImpactPreviewed')).toMatchObject({
    status: 'False',
    reason: 'JobFailed',
  });
  expect(Resources.condition(failed, 'Promoted')).toMatchObject({
    status: 'False',
    reason: 'ImpactPreviewFailed',
  });
  expect(await aliasVersion(registeredModel, 'production')).toBe(v1);
});

test('with nothing to compare (the alias is at the version already) no Job runs and the alias is kept', {
  timeout: 120_000,
}, async () => {
  const v1 = versions[0] as string;
  expect(await aliasVersion(registeredModel, 'production')).toBe(v1);
  await resources.create('ModelPromotion', 'modelpromotions', 'same', {
    registeredModel,
    version: Number(v1),
    impactPreview: true,
  });
  const done = await resources.until('modelpromotions', 'same', (o) => o.status?.phase === 'Succeeded');
  expect(Resources.condition(done, 'ImpactPreviewed')).toMatchObject({
    status: 'False',
    reason: 'NoChampion',
  });
  expect(done.status.impactPreview).toBeUndefined();
  expect(await previewJobs('same')).toEqual([]);
});
