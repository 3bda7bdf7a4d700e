import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { registryPromote } from '../../operator/src/external/registry-promotion.js';
import type { RunningOperator } from '../../operator/src/operator.js';
import { modelPromotionType } from '../../operator/src/resources/types.js';
import { stackEnv } from '../support/stack-env.js';
import { createTestDatabase } from '../support/test-database.js';
import { applyCrds, createNamespace, deleteNamespace } from './support/cluster.js';
import { operatorSettings, Resources, runOperator } from './support/harness.js';
import { aliasVersion, mlflow, recordTraining } from './support/mlflow.js';

// ModelPromotion through the registry promotion module (alias, version tags, promotions table).
const suffix = randomBytes(4).toString('hex');
const registeredModel = `op_mp_${suffix}`;
const experiment = `op_mp_${suffix}`;
let namespace: string;
let database: { url: string; drop(): Promise<void> };
let operator: RunningOperator;
let resources: Resources;
const versions: string[] = [];

async function promotionRows(): Promise<{ version: number; requested_by: string }[]> {
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    const { rows } = await client.query(
      'select version, requested_by from promotions where registered_model = $1 order by id',
      [registeredModel],
    );
    return rows;
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  await applyCrds();
  namespace = await createNamespace('op-promote');
  database = await createTestDatabase();
  resources = new Resources(namespace);
  for (const decision of ['promote', 'promote', 'reject'] as const) {
    const { version } = await recordTraining({
      experiment,
      registeredModel,
      trainingRun: 'none/none',
      f1: 0.7,
      decision,
    });
    versions.push(version);
  }
  operator = await runOperator(
    operatorSettings(namespace, database.url),
    registryPromote(database.url, stackEnv().MLFLOW_TRACKING_URI),
  );
});

afterAll(async () => {
  await operator?.stop();
  await deleteNamespace(namespace);
  await database?.drop();
});

const promotion = (version: string, reason: string) => ({
  registeredModel,
  version: Number(version),
  reason,
});

test('a promotion moves the alias and records it; a rollback is a promotion to an earlier version', async () => {
  const [v1, v2] = versions as [string, string];
  await resources.create(
    'ModelPromotion',
    'modelpromotions',
    'to-v2',
    promotion(v2, 'first production model'),
  );
  const first = await resources.until('modelpromotions', 'to-v2', (o) => o.status?.phase === 'Succeeded');
  expect(first.status.previousVersion).toBeUndefined();
  expect(Resources.condition(first, 'Ready')).toMatchObject({
    status: 'True',
    reason: 'Promoted',
    observedGeneration: 1,
  });
  expect(await aliasVersion(registeredModel, 'production')).toBe(v2);

  await resources.create('ModelPromotion', 'modelpromotions', 'rollback', promotion(v1, 'rollback'));
  const rollback = await resources.until(
    'modelpromotions',
    'rollback',
    (o) => o.status?.phase === 'Succeeded',
  );
  expect(rollback.status.previousVersion).toBe(v2);
  expect(await aliasVersion(registeredModel, 'production')).toBe(v1);
  expect(await promotionRows()).toEqual([
    { version: Number(v2), requested_by: `ModelPromotion ${namespace}/to-v2` },
    { version: Number(v1), requested_by: `ModelPromotion ${namespace}/rollback` },
  ]);
});

test('a rejected version is refused with VersionRejected and the alias stays', async () => {
  const rejected = versions[2] as string;
  const before = await aliasVersion(registeredModel, 'production');
  await resources.create(
    'ModelPromotion',
    'modelpromotions',
    'to-rejected',
    promotion(rejected, 'try the rejected one'),
  );
  const refused = await resources.until(
    'modelpromotions',
    'to-rejected',
    (o) => o.status?.phase === 'Failed',
  );
  expect(Resources.condition(refused, 'Promoted')).toMatchObject({
    status: 'False',
    reason: 'VersionRejected',
  });
  expect(Resources.condition(refused, 'Promoted').message).toMatch(/rejected/);
  expect(await aliasVersion(registeredModel, 'production')).toBe(before);

  // A Progressive rollout of it is refused before any step serves it traffic.
  await resources.create('ModelPromotion', 'modelpromotions', 'roll-out-rejected', {
    ...promotion(rejected, 'roll the rejected one out'),
    strategy: 'Progressive',
  });
  const stopped = await resources.until(
    'modelpromotions',
    'roll-out-rejected',
    (o) => o.status?.phase === 'Failed',
  );
  expect(Resources.condition(stopped, 'Promoted')).toMatchObject({
    status: 'False',
    reason: 'VersionRejected',
  });
  expect(stopped.status.rollout).toBeUndefined();
});

test('a version that does not exist yet keeps the promotion pending', async () => {
  await resources.create(
    'ModelPromotion',
    'modelpromotions',
    'early',
    promotion('99', 'applied with its TrainingRun'),
  );
  const pending = await resources.until(
    'modelpromotions',
    'early',
    (o) => Resources.condition(o, 'Promoted')?.reason === 'VersionNotFound',
  );
  expect(pending.status.phase).toBe('Pending');
});

test('an operator that died after moving the alias completes the status without promoting twice', async () => {
  const [v1, v2] = versions as [string, string];
  await operator.stop();
  const created = await resources.create(
    'ModelPromotion',
    'modelpromotions',
    'interrupted',
    promotion(v2, 'interrupted'),
  );
  // What the dead operator left: the journal in the status, and the alias already moved.
  await resources.api.mergePatch(
    modelPromotionType,
    namespace,
    'interrupted',
    {
      metadata: { resourceVersion: (created.metadata as { resourceVersion: string }).resourceVersion },
      status: {
        phase: 'Pending',
        previousVersion: v1,
        observedGeneration: 1,
        conditions: [
          {
            type: 'Promoted',
            status: 'Unknown',
            reason: 'Promoting',
            message: 'moving',
            lastTransitionTime: '2026-01-01T00:00:00Z',
          },
        ],
      },
    },
    'status',
  );
  await mlflow('POST', 'registered-models/alias', {
    name: registeredModel,
    alias: 'production',
    version: v2,
  });
  const rowsBefore = (await promotionRows()).length;

  operator = await runOperator(
    operatorSettings(namespace, database.url),
    registryPromote(database.url, stackEnv().MLFLOW_TRACKING_URI),
  );
  const done = await resources.until(
    'modelpromotions',
    'interrupted',
    (o) => o.status?.phase === 'Succeeded',
  );
  expect(done.status.previousVersion).toBe(v1);
  expect((await promotionRows()).length).toBe(rowsBefore);
});

test('one Progressive rollout of an alias at a time: a second waits until the first has ended', async () => {
  const { version } = await recordTraining({
    experiment,
    registeredModel,
    trainingRun: 'none/none',
    f1: 0.7,
    decision: 'promote',
  });
  if ((await aliasVersion(registeredModel, 'production')) === undefined) {
    await resources.create('ModelPromotion', 'modelpromotions', 'champion', {
      registeredModel,
      version: Number(versions[0]),
    });
    await resources.until('modelpromotions', 'champion', (o) => o.status?.phase === 'Succeeded');
  }
  const rollout = (name: string) =>
    resources.create('ModelPromotion', 'modelpromotions', name, {
      registeredModel,
      version: Number(version),
      strategy: 'Progressive',
    });
  // No PredictionService serves here, so the first rollout's shadow step waits for requests.
  await rollout('rollout-first');
  await resources.until('modelpromotions', 'rollout-first', (o) => o.status?.rollout?.step.name === 'shadow');
  await rollout('rollout-second');
  const waiting = await resources.until(
    'modelpromotions',
    'rollout-second',
    (o) => Resources.condition(o, 'Progressing')?.reason === 'WaitingForRollout',
  );
  expect(waiting.status.phase).toBe('Pending');
  expect(Resources.condition(waiting, 'Progressing').message).toContain('rollout-first');
  await resources.api.request('DELETE', resources.path('modelpromotions', 'rollout-first'));
  await resources.until(
    'modelpromotions',
    'rollout-second',
    (o) => o.status?.rollout?.step.name === 'shadow',
  );
});
