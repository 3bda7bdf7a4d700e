import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type RunningOperator, startOperator } from '../../operator/src/operator.js';
import { retrainScheduleType } from '../../operator/src/resources/types.js';
import type { LocalRunner } from '../../stack/local-runner/runner.js';
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
  runLocalRunner,
  testLog,
} from './support/harness.js';
import { recordTraining } from './support/mlflow.js';

// The local runner runs the load Jobs for real; this file plays the training Jobs (it records in
// MLflow what `prodclass train` would and marks the Job complete). The operator's clock can be
// moved forward, so that ticks missed while it was stopped, and hourly ticks, take no real time.
const suffix = randomBytes(4).toString('hex');
const registeredModel = `op_rs_${suffix}`;
const experiment = `op_rs_${suffix}`;
const label = 'mlops.prodclass.dev/retrain-schedule';
let namespace: string;
let database: { url: string; drop(): Promise<void> };
let operator: RunningOperator | undefined;
let runner: LocalRunner;
let resources: Resources;
let clockOffsetMs = 0;
const clock = () => new Date(Date.now() + clockOffsetMs);
const setClock = (at: Date) => {
  clockOffsetMs = at.getTime() - Date.now();
};

const startTheOperator = async () => {
  operator = await startOperator(
    operatorSettings(namespace, database.url),
    adminConnection(),
    async () => {
      throw new Error('no promotion expected in this file');
    },
    testLog('operator'),
    clock,
  );
};

beforeAll(async () => {
  await applyCrds();
  namespace = await createNamespace('op-rs');
  database = await createTestDatabase();
  await createPipelineSecret(namespace, database.url);
  resources = new Resources(namespace);
  await startTheOperator();
  runner = await runLocalRunner(namespace, ['data-load']);
});

afterAll(async () => {
  await runner?.stop();
  await operator?.stop();
  await deleteNamespace(namespace);
  await database?.drop();
});

const spec = (extra: object) => ({
  dataIncrement: { source: { synthetic: { rows: 2000, seed: 7 } }, incrementPercent: 10 },
  trainingRun: { registeredModel, experiment, autoPromote: { enabled: false } },
  ...extra,
});

const minutes = (at: Date | string) => Math.floor(new Date(at).getTime() / 60_000);

/** The names of the schedule's ticks, from its TrainingRuns and DataIncrements (which must agree). */
async function tickNames(schedule: string): Promise<string[]> {
  const selector = encodeURIComponent(`${label}=${schedule}`);
  const list = async (plural: string) =>
    (await resources.getAt(`${resources.path(plural)}?labelSelector=${selector}`)).items.map(
      (item: { metadata: { name: string } }) => item.metadata.name,
    ) as string[];
  const runs = (await list('trainingruns')).sort();
  expect((await list('dataincrements')).sort()).toEqual(runs);
  return runs;
}

/** What `prodclass train` would leave behind for the tick's TrainingRun, once its Job exists. */
async function finishTraining(name: string): Promise<void> {
  await resources.until('trainingruns', name, (o) => o.status?.jobName === `${name}-train`, 90_000);
  const { result } = await recordTraining({
    experiment,
    registeredModel,
    trainingRun: `${namespace}/${name}`,
    f1: 0.8,
  });
  await finishJob(namespace, `${name}-train`, 'Complete', result);
}

/** A metadata change wakes the reconcile at once, after the clock was moved. */
const poke = (name: string) =>
  resources.api.mergePatch(retrainScheduleType, namespace, name, {
    metadata: { annotations: { 'test.prodclass.dev/poke': String(Date.now()) } },
  });

async function eventReasons(name: string): Promise<string[]> {
  const events = await resources.getAt(`/api/v1/namespaces/${namespace}/events`);
  return events.items
    .filter((e: { involvedObject: { name: string } }) => e.involvedObject.name === name)
    .map((e: { reason: string; message: string }) => `${e.reason}: ${e.message}`);
}

test('a one-minute cron creates DataIncrement + TrainingRun pairs, with no duplicates across an operator restart', async () => {
  await resources.create('RetrainSchedule', 'retrainschedules', 'minutely', spec({ schedule: '* * * * *' }));
  const scheduled = await resources.until('retrainschedules', 'minutely', (o) => o.status?.nextScheduleTime);
  expect(Resources.condition(scheduled, 'Ready')).toMatchObject({
    status: 'True',
    reason: 'Scheduled',
    observedGeneration: 1,
  });

  // The first tick in real time.
  const started = await resources.until(
    'retrainschedules',
    'minutely',
    (o) => o.status?.lastTick?.outcome === 'Started',
    75_000,
  );
  const first = `minutely-${minutes(started.status.lastScheduleTime)}`;
  expect(started.status.active).toEqual([
    { scheduledTime: started.status.lastScheduleTime, dataIncrement: first, trainingRun: first },
  ]);
  const increment = await resources.get('dataincrements', first);
  expect(increment.metadata.ownerReferences).toEqual([
    expect.objectContaining({
      kind: 'RetrainSchedule',
      name: 'minutely',
      uid: started.metadata.uid,
      controller: true,
    }),
  ]);
  expect(increment.metadata.annotations['mlops.prodclass.dev/scheduled-time']).toBe(
    started.status.lastScheduleTime,
  );
  expect(increment.spec).toMatchObject({
    incrementPercent: 10,
    source: { synthetic: { rows: 2000, seed: 7 } },
  });
  const run = await resources.get('trainingruns', first);
  expect(run.spec).toMatchObject({ dataVersion: first, registeredModel, autoPromote: { enabled: false } });

  // The run trains after its increment has loaded; the tick then counts as succeeded.
  await resources.until('dataincrements', first, (o) => o.status?.phase === 'Succeeded', 90_000);
  await finishTraining(first);
  const done = await resources.until('retrainschedules', 'minutely', (o) =>
    o.status?.recent?.some((tick: { trainingRun: string }) => tick.trainingRun === first),
  );
  expect(
    done.status.recent.find((tick: { trainingRun: string }) => tick.trainingRun === first),
  ).toMatchObject({
    result: 'Succeeded',
    modelVersion: expect.stringMatching(/^\d+$/),
  });

  // Stop the operator and let five ticks pass: a restarted operator runs one of them, the latest.
  await operator?.stop();
  const before = await tickNames('minutely');
  setClock(new Date(clock().getTime() + 5 * 60_000));
  await startTheOperator();
  const caughtUp = await resources.until('retrainschedules', 'minutely', (o) =>
    o.status?.lastScheduleTime ? minutes(o.status.lastScheduleTime) >= minutes(clock()) - 1 : false,
  );
  const catchUp = `minutely-${minutes(caughtUp.status.lastScheduleTime)}`;
  expect(await tickNames('minutely')).toEqual([...before, catchUp].sort());
  await waitFor('the MissedTicks event', async () =>
    (await eventReasons('minutely')).some((event) =>
      /^MissedTicks: [3-9] earlier ticks were missed/.test(event),
    ),
  );

  // The catch-up tick is still running (its training never finishes here): Forbid skips the
  // ticks after it, and another restart creates nothing new.
  await operator?.stop();
  await startTheOperator();
  setClock(new Date(clock().getTime() + 60_000));
  await poke('minutely');
  const skipped = await resources.until(
    'retrainschedules',
    'minutely',
    (o) => o.status?.lastTick?.outcome === 'Skipped',
  );
  expect(skipped.status.lastTick.message).toContain(`${catchUp} still running (concurrencyPolicy Forbid)`);
  expect(await tickNames('minutely')).toEqual([...before, catchUp].sort());
  await resources.until('dataincrements', catchUp, (o) => o.status?.phase === 'Succeeded', 90_000);
}, 300_000);

test('Replace deletes the running tick, the last increment loads what remains, then nothing is left to load', async () => {
  // Hourly ticks, reached by moving the clock to a minute past each hour.
  const hour = 3_600_000;
  const nextHour = () => new Date(Math.ceil(clock().getTime() / hour) * hour + 60_000);
  // Back to real time, which the new schedule's creationTimestamp is in (the first test moved the clock
  // ahead, and a schedule is due for the ticks since its creation).
  clockOffsetMs = 0;
  await resources.create(
    'RetrainSchedule',
    'retrainschedules',
    'hourly',
    spec({
      schedule: '0 * * * *',
      concurrencyPolicy: 'Replace',
      successfulHistoryLimit: 0,
      dataIncrement: { source: { synthetic: { rows: 2000, seed: 7 } }, incrementPercent: 50 },
    }),
  );
  await resources.until('retrainschedules', 'hourly', (o) => o.status?.nextScheduleTime);

  setClock(nextHour());
  await poke('hourly');
  const a = await resources.until(
    'retrainschedules',
    'hourly',
    (o) => o.status?.lastTick?.outcome === 'Started',
  );
  const first = `hourly-${minutes(a.status.lastScheduleTime)}`;
  // The catalog holds 20% from the first test: +50 points.
  const loaded = await resources.until(
    'dataincrements',
    first,
    (o) => o.status?.phase === 'Succeeded',
    90_000,
  );
  expect(loaded.status.percentage).toBe(70);

  // The first tick's training still runs: Replace deletes it and starts the next; 30% remain.
  setClock(nextHour());
  await poke('hourly');
  const b = await resources.until(
    'retrainschedules',
    'hourly',
    (o) => o.status?.lastScheduleTime !== a.status.lastScheduleTime,
  );
  const second = `hourly-${minutes(b.status.lastScheduleTime)}`;
  expect(b.status.active).toEqual([
    { scheduledTime: b.status.lastScheduleTime, dataIncrement: second, trainingRun: second },
  ]);
  await expect(resources.get('trainingruns', first)).rejects.toThrow(/404/);
  await expect(resources.get('dataincrements', first)).rejects.toThrow(/404/);
  expect((await resources.get('dataincrements', second)).spec).toMatchObject({ toPercent: 100 });
  expect((await eventReasons('hourly')).some((event) => event.startsWith('Replaced:'))).toBe(true);

  // It succeeds; with successfulHistoryLimit 0 its children are deleted at once.
  await resources.until('dataincrements', second, (o) => o.status?.phase === 'Succeeded', 90_000);
  await finishTraining(second);
  const pruned = await resources.until(
    'retrainschedules',
    'hourly',
    (o) => o.status?.lastSuccessfulTime === b.status.lastScheduleTime,
  );
  expect(pruned.status.recent ?? []).toEqual([]);
  await waitFor('the pruned tick to be deleted', async () => (await tickNames('hourly')).length === 0);

  // The catalog is complete: the next tick records "nothing to load" and creates nothing.
  setClock(nextHour());
  await poke('hourly');
  const empty = await resources.until(
    'retrainschedules',
    'hourly',
    (o) => o.status?.lastTick?.outcome === 'NothingToLoad',
  );
  expect(empty.status.lastTick.message).toContain('nothing to load');
  expect(empty.status.lastScheduleTime).toBe(b.status.lastScheduleTime);
  expect(Resources.condition(empty, 'Ready')?.status).toBe('True');
  expect(await tickNames('hourly')).toEqual([]);
  await waitFor('the NothingToLoad event', async () =>
    (await eventReasons('hourly')).some((event) => event.startsWith('NothingToLoad:')),
  );
}, 300_000);

test('an invalid schedule is reported, not run', async () => {
  await resources.create('RetrainSchedule', 'retrainschedules', 'invalid', spec({ schedule: '61 * * * *' }));
  const invalid = await resources.until(
    'retrainschedules',
    'invalid',
    (o) => Resources.condition(o, 'Ready')?.reason === 'InvalidSpec',
  );
  expect(Resources.condition(invalid, 'Ready')).toMatchObject({
    status: 'False',
    message: 'spec.schedule: minute: 61 is outside 0-59',
  });
  expect(invalid.status.nextScheduleTime).toBeUndefined();
});

test('the CRD: defaults, short name rs, printer columns, and what it refuses', async () => {
  // Suspended, so that it never ticks here.
  const created = await resources.create('RetrainSchedule', 'retrainschedules', 'weekly', {
    schedule: '0 3 * * mon',
    suspend: true,
    dataIncrement: { source: { synthetic: {} }, incrementPercent: 3 },
  });
  expect(created.spec).toMatchObject({
    concurrencyPolicy: 'Forbid',
    successfulHistoryLimit: 3,
    failedHistoryLimit: 1,
    dataIncrement: { source: { synthetic: { seed: 42, rows: 84916 } }, seed: 42 },
    trainingRun: { autoPromote: { enabled: true, minF1: 0.7, alias: 'production' } },
  });
  const suspended = await resources.until(
    'retrainschedules',
    'weekly',
    (o) => Resources.condition(o, 'Ready')?.reason === 'Suspended',
  );
  expect(suspended.status.nextScheduleTime).toBeUndefined();
  // `rs` alone is ReplicaSet's short name, which kubectl prefers; qualified with the group it is ours.
  const { stdout } = await kubectl('get', 'rs.mlops.prodclass.dev', '-n', namespace);
  expect(stdout).toMatch(/NAME\s+SCHEDULE\s+SUSPEND\s+ACTIVE\s+LAST SCHEDULE\s+NEXT\s+AGE/);
  expect(stdout).toMatch(/weekly\s+0 3 \* \* mon\s+true/);
  expect((await kubectl('get', 'prodclass', '-n', namespace)).stdout).toContain(
    'retrainschedule.mlops.prodclass.dev/weekly',
  );

  const refused = async (name: string, spec: object) =>
    resources.create('RetrainSchedule', 'retrainschedules', name, spec).then(
      () => 'accepted',
      (error: Error) => error.message,
    );
  expect(await refused('x'.repeat(53), { ...spec({}), schedule: '@daily' })).toContain(
    "a RetrainSchedule's name has at most 52 characters",
  );
  expect(await refused('allow', spec({ schedule: '@daily', concurrencyPolicy: 'Allow' }))).toContain(
    'spec.concurrencyPolicy: Unsupported value: "Allow"',
  );
  expect(
    await refused('no-amount', spec({ schedule: '@daily', dataIncrement: { source: { synthetic: {} } } })),
  ).toContain('spec.dataIncrement.incrementPercent: Required value');
});
