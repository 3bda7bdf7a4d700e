import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { ImpactResult } from '@prodclass/registry/contract/job-result';
import { promotionTags } from '@prodclass/registry/contract/mlflow-tags';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { registryPromote } from '../../operator/src/external/registry-promotion.js';
import type { RunningOperator } from '../../operator/src/operator.js';
import { stackEnv } from '../support/stack-env.js';
import { createTestDatabase } from '../support/test-database.js';
import { applyCrds, createNamespace, deleteNamespace, kubectl } from './support/cluster.js';
import { finishJob, operatorSettings, Resources, repository, runOperator } from './support/harness.js';
import { aliasVersion, mlflow, recordTraining } from './support/mlflow.js';
import { grantPromotionApprover, grantPromotionEditor } from './support/promotion-rbac.js';

// ModelPromotion with approval Required, against the real API server with the admission policy and
// approver role of manifests/approval/: people act through kubectl --as (impersonated by the admin).
const suffix = randomBytes(4).toString('hex');
const registeredModel = `op_approval_${suffix}`;
const experiment = `op_approval_${suffix}`;
const approver = `alice-${suffix}`;
const bystander = `mallory-${suffix}`;
const approvedBy = 'mlops.prodclass.dev/approved-by';
const rejectedBy = 'mlops.prodclass.dev/rejected-by';
let namespace: string;
let database: { url: string; drop(): Promise<void> };
let operator: RunningOperator;
let resources: Resources;
const versions: string[] = [];

const startOperator = () =>
  runOperator(
    operatorSettings(namespace, database.url),
    registryPromote(database.url, stackEnv().MLFLOW_TRACKING_URI),
  );

/** `kubectl annotate` as `user`; the error's text when the API server refuses it. */
const annotateAs = (user: string, name: string, annotation: string) =>
  kubectl('annotate', '-n', namespace, `modelpromotion/${name}`, annotation, `--as=${user}`).then(
    () => 'admitted',
    (error: { stderr?: string }) => error.stderr ?? String(error),
  );

beforeAll(async () => {
  await applyCrds();
  await kubectl('apply', '-f', path.join(repository, 'manifests/approval'));
  namespace = await createNamespace('op-approval');
  database = await createTestDatabase();
  resources = new Resources(namespace);
  await grantPromotionApprover(namespace, { user: approver });
  // The bystander may read and patch promotions, but not approve them.
  await grantPromotionEditor(namespace, bystander);
  for (let i = 0; i < 3; i++) {
    const { version } = await recordTraining({
      experiment,
      registeredModel,
      trainingRun: 'none/none',
      f1: 0.8,
      decision: 'promote',
    });
    versions.push(version);
  }
  // The offline comparison training records on the candidate (v2) against the champion (v1).
  for (const [key, value] of Object.entries({
    [promotionTags.challengerF1]: '0.83',
    [promotionTags.championVersion]: versions[0],
    [promotionTags.championF1]: '0.79',
    [promotionTags.challengerComparisonF1]: '0.82',
    [promotionTags.comparisonRows]: '1500',
    [promotionTags.mcnemarMidP]: '0.004',
  }))
    await mlflow('POST', 'model-versions/set-tag', {
      name: registeredModel,
      version: versions[1],
      key,
      value,
    });
  operator = await startOperator();
}, 120_000);

afterAll(async () => {
  await operator?.stop();
  await deleteNamespace(namespace);
  await database?.drop();
});

test('a promotion that requires approval waits with its evidence, refuses the unauthorised, survives a restart and moves once approved', async () => {
  const [v1, v2] = versions as [string, string];
  await resources.create('ModelPromotion', 'modelpromotions', 'first', {
    registeredModel,
    version: Number(v1),
  });
  await resources.until('modelpromotions', 'first', (o) => o.status?.phase === 'Succeeded');

  await resources.create('ModelPromotion', 'modelpromotions', 'to-v2', {
    registeredModel,
    version: Number(v2),
    approval: 'Required',
  });
  const waiting = await resources.until(
    'modelpromotions',
    'to-v2',
    (o) => o.status?.phase === 'AwaitingApproval',
  );
  expect(waiting.status.evidence.offline).toEqual({
    decision: 'promote',
    reason: 'test decision: promote',
    candidateF1: 0.83,
    championVersion: v1,
    championF1: 0.79,
    candidateComparisonF1: 0.82,
    comparisonRows: 1500,
    mcnemarMidP: 0.004,
  });
  expect(Resources.condition(waiting, 'Approved')).toMatchObject({
    status: 'Unknown',
    reason: 'AwaitingApproval',
  });
  expect(Resources.condition(waiting, 'Ready')).toMatchObject({
    status: 'Unknown',
    reason: 'AwaitingApproval',
  });
  expect(await aliasVersion(registeredModel, 'production')).toBe(v1);

  // Without the approve verb, or in another's name, the API server refuses the annotation.
  expect(await annotateAs(bystander, 'to-v2', `${approvedBy}=${bystander}`)).toMatch(
    /may not approve modelpromotions/,
  );
  expect(await annotateAs(bystander, 'to-v2', `${approvedBy}=${approver}`)).toMatch(
    /must name the user making the request/,
  );
  expect(await annotateAs(approver, 'to-v2', `${approvedBy}=${bystander}`)).toMatch(
    /must name the user making the request/,
  );
  const refused = await resources.get('modelpromotions', 'to-v2');
  expect(refused.metadata.annotations?.[approvedBy]).toBeUndefined();

  // A restarted operator keeps waiting: nothing moves without a decision.
  await operator.stop();
  operator = await startOperator();
  await kubectl('annotate', '-n', namespace, 'modelpromotion/to-v2', 'example.com/nudge=1');
  await resources.until('modelpromotions', 'to-v2', (o) => o.status?.phase === 'AwaitingApproval');
  expect(await aliasVersion(registeredModel, 'production')).toBe(v1);

  expect(await annotateAs(approver, 'to-v2', `${approvedBy}=${approver}`)).toBe('admitted');
  const approved = await resources.until('modelpromotions', 'to-v2', (o) => o.status?.phase === 'Succeeded');
  expect(approved.status.approval.approvedBy).toBe(approver);
  expect(Date.parse(approved.status.approval.approvedAt)).toBeLessThanOrEqual(
    Date.parse(approved.status.promotedAt),
  );
  expect(Resources.condition(approved, 'Approved')).toMatchObject({ status: 'True', reason: 'Approved' });
  expect(approved.status.previousVersion).toBe(v1);
  expect(await aliasVersion(registeredModel, 'production')).toBe(v2);

  // A decision, once written, stays.
  expect(await annotateAs(approver, 'to-v2', `${approvedBy}-`)).toMatch(/cannot be changed or removed/);
});

test('a rejected promotion fails with who rejected it and leaves the alias', async () => {
  const v3 = versions[2] as string;
  const before = await aliasVersion(registeredModel, 'production');
  await resources.create('ModelPromotion', 'modelpromotions', 'to-v3', {
    registeredModel,
    version: Number(v3),
    approval: 'Required',
  });
  await resources.until('modelpromotions', 'to-v3', (o) => o.status?.phase === 'AwaitingApproval');
  expect(await annotateAs(approver, 'to-v3', `${rejectedBy}=${approver}`)).toBe('admitted');
  const rejected = await resources.until('modelpromotions', 'to-v3', (o) => o.status?.phase === 'Failed');
  expect(rejected.status.approval).toMatchObject({ rejectedBy: approver });
  expect(Resources.condition(rejected, 'Ready')).toMatchObject({ status: 'False', reason: 'Rejected' });
  expect(await aliasVersion(registeredModel, 'production')).toBe(before);
  expect(await annotateAs(approver, 'to-v3', `${approvedBy}=${approver}`)).toMatch(/not both/);
});

test('with impactPreview, the preview is recorded first and waits with the evidence for approval', async () => {
  const v3 = versions[2] as string;
  const champion = (await aliasVersion(registeredModel, 'production')) as string;
  await resources.create('ModelPromotion', 'modelpromotions', 'previewed-v3', {
    registeredModel,
    version: Number(v3),
    approval: 'Required',
    impactPreview: true,
  });
  await resources.until(
    'modelpromotions',
    'previewed-v3',
    (o) => Resources.condition(o, 'ImpactPreviewed')?.reason === 'Previewing',
  );
  const result: ImpactResult = {
    kind: 'impact',
    registeredModel,
    championVersion: champion,
    candidateVersion: v3,
    dataVersion: 'week_3',
    products: 1000,
    changed: 40,
    changedShare: 0.04,
    flips: [{ from: 10, to: 40, count: 40 }],
  };
  await finishJob(namespace, 'previewed-v3-impact', 'Complete', result);
  const waiting = await resources.until(
    'modelpromotions',
    'previewed-v3',
    (o) => o.status?.phase === 'AwaitingApproval',
  );
  expect(waiting.status.impactPreview).toMatchObject({ changed: 40, changedShare: 0.04 });
  expect(waiting.status.evidence.offline).toMatchObject({ decision: 'promote' });
  expect(await aliasVersion(registeredModel, 'production')).toBe(champion);

  expect(await annotateAs(approver, 'previewed-v3', `${approvedBy}=${approver}`)).toBe('admitted');
  const approved = await resources.until(
    'modelpromotions',
    'previewed-v3',
    (o) => o.status?.phase === 'Succeeded',
  );
  expect(approved.status.approval.approvedBy).toBe(approver);
  expect(await aliasVersion(registeredModel, 'production')).toBe(v3);
});
