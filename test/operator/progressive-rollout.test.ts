import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { deploymentType } from '@prodclass/kube/objects';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { registryPromote } from '../../operator/src/external/registry-promotion.js';
import type { RunningOperator } from '../../operator/src/operator.js';
import type { LocalRunner } from '../../stack/local-runner/runner.js';
import { localUrlAnnotation } from '../../stack/local-runner/service-proxy.js';
import { fitTestBundle } from '../model-server/support/bundle.js';
import { TestRegistry } from '../model-server/support/mlflow-registry.js';
import { stackEnv } from '../support/stack-env.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { applyCrds, createNamespace, deleteNamespace, kubectl } from './support/cluster.js';
import {
  createPipelineSecret,
  operatorSettings,
  Resources,
  repository,
  runLocalRunner,
  runOperator,
} from './support/harness.js';
import { aliasVersion } from './support/mlflow.js';
import { type OperatorProcess, startOperatorProcess } from './support/operator-process.js';
import { PredictionTraffic } from './support/prediction-traffic.js';
import { grantPromotionApprover } from './support/promotion-rbac.js';

// ModelPromotion strategy Progressive end to end: the operator, the local runner running real
// model-server pods of a PredictionService that follows the alias, the stack's Prometheus scraping
// them and PostgreSQL holding their inference log (shadow rows), steady traffic through the Service.
// Steps last seconds here; the rollouts run one after another on the same service.
let namespace: string;
let database: TestDatabase;
let registry: TestRegistry;
let operator: RunningOperator;
const operatorProcesses: OperatorProcess[] = [];
let runner: LocalRunner;
let resources: Resources;
let traffic: PredictionTraffic;
const approver = `alice-${randomBytes(4).toString('hex')}`;
const versions: Record<'champion' | 'good' | 'shuffled' | 'slow', string> = {
  champion: '',
  good: '',
  shuffled: '',
  slow: '',
};

const startOperator = () =>
  runOperator(
    operatorSettings(namespace, database.url),
    registryPromote(database.url, stackEnv().MLFLOW_TRACKING_URI),
  );

// biome-ignore lint/suspicious/noExplicitAny: objects as JSON
type Json = any;

beforeAll(async () => {
  registry = new TestRegistry();
  await registry.createModel();
  versions.champion = await registry.addVersion(await fitTestBundle(7));
  versions.shuffled = await registry.addVersion(await fitTestBundle(11, { shuffledLabels: true }));
  versions.slow = await registry.addVersion(await fitTestBundle(9));
  versions.good = await registry.addVersion(await fitTestBundle(8));
  await registry.setAlias('production', versions.champion);
  await applyCrds();
  await kubectl('apply', '-f', path.join(repository, 'manifests/approval'));
  namespace = await createNamespace('op-rollout');
  await grantPromotionApprover(namespace, { user: approver });
  database = await createTestDatabase();
  await createPipelineSecret(namespace, database.url);
  resources = new Resources(namespace);
  operator = await startOperator();
  runner = await runLocalRunner(namespace);
  await resources.create('PredictionService', 'predictionservices', 'classifier', {
    registeredModel: registry.name,
    alias: 'production',
  });
  await resources.until(
    'predictionservices',
    'classifier',
    (o) => Resources.condition(o, 'Ready')?.status === 'True',
    90_000,
  );
  const service = await resources.getAt(`/api/v1/namespaces/${namespace}/services/classifier`);
  const url: string = service.metadata.annotations[localUrlAnnotation];
  traffic = new PredictionTraffic(async () => url);
}, 180_000);

afterAll(async () => {
  for (const { child } of operatorProcesses) if (child.exitCode === null) child.kill('SIGKILL');
  await traffic?.stop();
  await runner?.stop();
  await operator?.stop();
  if (namespace) await deleteNamespace(namespace);
  await database?.drop();
});

/** A Progressive promotion of `version` with steps of seconds and a few requests each. */
function promote(name: string, version: string, progressive: object) {
  return resources.create('ModelPromotion', 'modelpromotions', name, {
    registeredModel: registry.name,
    version: Number(version),
    strategy: 'Progressive',
    progressive,
  });
}

/**
 * Follows a promotion until it ends: the steps it went through (`canary 10`), in order, and the
 * alias's version seen as each step before full began.
 */
function watchSteps(name: string) {
  const seen: string[] = [];
  const aliasDuringSteps = new Set<string | undefined>();
  const observe = async (step: Json) => {
    const label = `${step.name} ${step.canaryWeight}`;
    if (seen.at(-1) === label) return;
    seen.push(label);
    if (step.name !== 'full') aliasDuringSteps.add(await aliasVersion(registry.name, 'production'));
  };
  const ended = (async () => {
    for (;;) {
      const promotion = await resources.get('modelpromotions', name);
      if (promotion.status?.rollout) await observe(promotion.status.rollout.step);
      if (promotion.status?.phase === 'Succeeded' || promotion.status?.phase === 'Failed') return promotion;
      await sleep(200);
    }
  })();
  return { seen, aliasDuringSteps, ended };
}

const quickShadow = { percent: 100, duration: '3s', minRequests: 40 };
const quickCanary = { weights: [10, 50], interval: '3s', minRequests: 15 };
/** For the candidates that should pass: a loaded machine's pauses must not fail them on latency ((c) is about latency). */
const tolerantAnalysis = { maxLatencyP99: '2s' };

/** The primary Deployment's environment: what the serving pods were told. */
async function primaryEnv(): Promise<Record<string, string>> {
  const deployment: Json = await resources.getAt(deploymentType.path(namespace, 'classifier-primary'));
  return Object.fromEntries(
    deployment.spec.template.spec.containers[0].env.map((variable: Json) => [variable.name, variable.value]),
  );
}

async function eventsOf(name: string): Promise<Json[]> {
  const list = await resources.getAt(
    `/api/v1/namespaces/${namespace}/events?fieldSelector=involvedObject.name=${name}`,
  );
  return list.items;
}

/** A stopped rollout: phase Failed, the alias where it was, the services back to the champion alone. */
async function expectStopped(name: string, step: string, reason: RegExp): Promise<Json> {
  const failed = await resources.until('modelpromotions', name, (o) => o.status?.phase === 'Failed', 120_000);
  expect(failed.status.rollout.step.name).toBe(step);
  const promoted = Resources.condition(failed, 'Promoted');
  expect(promoted).toMatchObject({ status: 'False', reason: 'AnalysisFailed' });
  expect(promoted.message).toMatch(reason);
  expect(await aliasVersion(registry.name, 'production')).toBe(versions.champion);
  await resources.until('predictionservices', 'classifier', (o) => o.status?.rollout === undefined);
  await expect.poll(primaryEnv, { timeout: 30_000 }).not.toHaveProperty('CANDIDATE_MODEL_URI');
  await expect
    .poll(async () => (await eventsOf(name)).filter((event) => event.reason === 'AnalysisFailed').length, {
      timeout: 10_000,
    })
    .toBe(1);
  return failed;
}

test('(b) a candidate trained on shuffled labels is stopped in the shadow step by its agreement', async () => {
  await promote('shuffled', versions.shuffled, { shadow: quickShadow, canary: quickCanary });
  // While it runs, the service following the alias mirrors to the candidate without moving its primary.
  const shadowing = await resources.until(
    'predictionservices',
    'classifier',
    (o) => o.status?.rollout?.step === 'shadow',
  );
  expect(shadowing.status.rollout).toMatchObject({
    modelPromotion: 'shuffled',
    candidateVersion: versions.shuffled,
    shadowPercent: 100,
    canaryWeight: 0,
  });
  const failed = await expectStopped('shuffled', 'shadow', /agreement 0\.\d+ < 0\.80 over [\d,]+ shadow/);
  const agreement = failed.status.rollout.analysis.checks.find((check: Json) => check.name === 'agreement');
  expect(agreement).toMatchObject({ passed: false, threshold: 0.8 });
  expect(agreement.value).toBeLessThan(0.5);
}, 180_000);

test('(c) a slow candidate (an injected delay) is stopped in its first canary step by its p99 latency', async () => {
  await promote('slow', versions.slow, {
    shadow: { percent: 0 },
    canary: quickCanary,
    analysis: { maxLatencyP99: '150ms' },
    faultInjection: { candidateDelay: '300ms' },
  });
  await expect
    .poll(primaryEnv, { timeout: 60_000 })
    .toMatchObject({ CANDIDATE_DELAY_MS: '300', CANARY_WEIGHT: '10' });
  const failed = await expectStopped('slow', 'canary', /latency/i);
  expect(failed.status.rollout.step.canaryWeight).toBe(10);
}, 180_000);

test('(a, d) a good candidate goes shadow → 10% → 50% → 100% by itself with no failed request, through an operator killed in the shadow step', async () => {
  const failedBefore = traffic.failed;
  const answeredBefore = traffic.answeredBy.get(versions.good) ?? 0;
  // (d) The rollout starts under an operator process, killed with SIGKILL once it has analysed the
  // shadow step; its successor resumes that step with the same start.
  await operator.stop();
  const killed = startOperatorProcess(namespace, database.url, `process-${process.pid}`);
  operatorProcesses.push(killed);
  await promote('good', versions.good, {
    // Long enough for the killed operator's lease to expire within the step.
    shadow: { ...quickShadow, duration: '25s' },
    canary: quickCanary,
    analysis: tolerantAnalysis,
  });
  const { seen, aliasDuringSteps, ended: watching } = watchSteps('good');
  const analysed = await resources
    .until('modelpromotions', 'good', (o) => o.status?.rollout?.analysis?.step === 'shadow', 90_000)
    .catch((error: Error) => {
      throw new Error(`${error.message}\noperator process: ${killed.lines.join('\n').slice(-2000)}`);
    });
  killed.child.kill('SIGKILL');
  await killed.exited;
  const killedAt = new Date();
  operator = await startOperator();
  const resumed = await resources.until(
    'modelpromotions',
    'good',
    (o) => new Date(o.status?.rollout?.analysis?.observedAt ?? 0) > killedAt,
  );
  expect(resumed.status.rollout.step).toEqual(analysed.status.rollout.step);
  expect(resumed.status.rollout.stepStartedAt).toBe(analysed.status.rollout.stepStartedAt);
  expect(resumed.status.rollout.startedAt).toBe(analysed.status.rollout.startedAt);

  const done = await Promise.race([
    watching,
    sleep(240_000).then(() => {
      throw new Error(`no end of the rollout; steps seen: ${seen.join(', ')}`);
    }),
  ]);
  expect(done.status.phase).toBe('Succeeded');
  expect(seen.filter((label) => label !== 'full 50')).toEqual(['shadow 0', 'canary 10', 'canary 50']);
  expect([...aliasDuringSteps]).toEqual([versions.champion]);
  expect(Resources.condition(done, 'Progressing')).toMatchObject({
    status: 'False',
    reason: 'RolloutCompleted',
  });
  expect(await aliasVersion(registry.name, 'production')).toBe(versions.good);
  // Each step started once and the alias moved once, whatever the restart.
  const started = (await eventsOf('good')).filter((event) => event.reason === 'StepStarted');
  expect(started.map((event) => event.count ?? 1)).toEqual([1, 1, 1, 1]);
  const client = await database.connect();
  const { rows } = await client.query(
    'select count(*)::int as moves from promotions where registered_model = $1 and version = $2',
    [registry.name, Number(versions.good)],
  );
  expect(rows[0].moves).toBe(1);

  // The service serves the candidate as its primary, with no candidate traffic left.
  await resources.until(
    'predictionservices',
    'classifier',
    (o) => o.status?.servedVersion === versions.good && o.status?.rollout === undefined,
    90_000,
  );
  expect(await primaryEnv()).not.toHaveProperty('CANDIDATE_MODEL_URI');
  // The candidate answered in the canary steps, and not one request failed throughout.
  expect((traffic.answeredBy.get(versions.good) ?? 0) - answeredBefore).toBeGreaterThan(0);
  expect(traffic.failed - failedBefore, traffic.failures.join('; ')).toBe(0);
}, 300_000);

test('with approval Required, the rollout waits after its shadow step with the shadow agreement as evidence, and goes on once approved', async () => {
  const champion = await aliasVersion(registry.name, 'production');
  await resources.create('ModelPromotion', 'modelpromotions', 'approved', {
    registeredModel: registry.name,
    version: Number(versions.slow),
    strategy: 'Progressive',
    approval: 'Required',
    progressive: {
      shadow: quickShadow,
      canary: { ...quickCanary, weights: [50] },
      analysis: tolerantAnalysis,
    },
  });
  const waiting = await resources.until(
    'modelpromotions',
    'approved',
    (o) => o.status?.phase === 'AwaitingApproval',
    120_000,
  );
  expect(waiting.status.rollout.step).toMatchObject({
    name: 'approval',
    shadowPercent: 100,
    canaryWeight: 0,
  });
  expect(waiting.status.evidence.shadow.requests).toBeGreaterThanOrEqual(quickShadow.minRequests);
  expect(waiting.status.evidence.shadow.agreement).toBeGreaterThan(0.8);
  expect(await aliasVersion(registry.name, 'production')).toBe(champion);
  // The services keep mirroring to the candidate while a person decides.
  const service = await resources.get('predictionservices', 'classifier');
  expect(service.status.rollout).toMatchObject({
    modelPromotion: 'approved',
    step: 'approval',
    shadowPercent: 100,
  });

  await kubectl(
    'annotate',
    '-n',
    namespace,
    'modelpromotion/approved',
    `mlops.prodclass.dev/approved-by=${approver}`,
    `--as=${approver}`,
  );
  const done = await resources.until(
    'modelpromotions',
    'approved',
    (o) => o.status?.phase === 'Succeeded',
    120_000,
  );
  expect(done.status.approval.approvedBy).toBe(approver);
  expect(done.status.rollout.analysis).toMatchObject({ step: 'canary' });
  expect(await aliasVersion(registry.name, 'production')).toBe(versions.slow);
}, 240_000);

test('an alias moved by someone else mid-rollout stops the rollout, which leaves the alias where it was put', async () => {
  const champion = await aliasVersion(registry.name, 'production');
  const elsewhere = versions.champion;
  expect(new Set([champion, versions.good, elsewhere]).size).toBe(3);
  await promote('overtaken', versions.good, {
    shadow: { ...quickShadow, duration: '10m' },
    canary: quickCanary,
    analysis: tolerantAnalysis,
  });
  await resources.until('modelpromotions', 'overtaken', (o) => o.status?.rollout?.step?.name === 'shadow');
  await registry.setAlias('production', elsewhere);

  const failed = await resources.until(
    'modelpromotions',
    'overtaken',
    (o) => o.status?.phase === 'Failed',
    120_000,
  );
  const promoted = Resources.condition(failed, 'Promoted');
  expect(promoted).toMatchObject({ status: 'False', reason: 'AliasMoved' });
  expect(promoted.message).toBe(
    `shadow 100%: ${registry.name}@production was moved to v${elsewhere} outside this rollout, which compared v${versions.good} with v${champion}; the rollout stopped and leaves the alias as it is`,
  );
  await resources.until('predictionservices', 'classifier', (o) => o.status?.rollout === undefined);
  await expect.poll(primaryEnv, { timeout: 30_000 }).not.toHaveProperty('CANDIDATE_MODEL_URI');
  expect(await aliasVersion(registry.name, 'production')).toBe(elsewhere);
  expect((await eventsOf('overtaken')).filter((event) => event.reason === 'AliasMoved')).toHaveLength(1);
}, 180_000);
