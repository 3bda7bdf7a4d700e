import { isAlreadyExists, isNotFound } from '@prodclass/kube/api';
import { timestamp } from '@prodclass/kube/conditions';
import type { Logger } from '@prodclass/kube/log';
import {
  controllerKey,
  controllerReference,
  type KubeObject,
  keyOf,
  type ResourceType,
} from '@prodclass/kube/objects';
import { describeController } from '../manager/controller-description.js';
import { dataIncrements, retrainSchedules, trainingRuns } from '../manager/kinds.js';
import type { ReconcileContext } from '../manager/reconcile-context.js';
import type { Announcement, StatusWriter } from '../manager/status-writer.js';
import {
  type DataIncrement,
  dataIncrementType,
  type RetrainSchedule,
  type RetrainScheduleSpec,
  type RetrainScheduleStatus,
  retrainScheduleType,
  type ScheduledPair,
  type TrainingRun,
  trainingRunType,
} from '../resources/types.js';
import { validRetrainScheduleSpec } from '../resources/validate.js';
import { parseCron } from '../schedule/cron.js';
import { historyStatus, pairOf, stateOf, type Tick } from '../schedule/tick-status.js';
import {
  missedTickLimit,
  planTick,
  pruneHistory,
  type TickPlan,
  tickChildName,
  waitForTickMs,
} from '../schedule/ticks.js';
import { validSpec } from './valid-spec.js';

export const scheduleLabel = 'mlops.prodclass.dev/retrain-schedule';
export const scheduledTimeAnnotation = 'mlops.prodclass.dev/scheduled-time';

function ticksOf(ctx: ReconcileContext, key: string, namespace: string): Tick[] {
  const ticks = new Map<string, Tick>();
  const children: [DataIncrement | TrainingRun, 'dataIncrement' | 'trainingRun'][] = [
    ...ctx.caches
      .of(dataIncrements)
      .list()
      .map((child) => [child, 'dataIncrement'] as [DataIncrement, 'dataIncrement']),
    ...ctx.caches
      .of(trainingRuns)
      .list()
      .map((child) => [child, 'trainingRun'] as [TrainingRun, 'trainingRun']),
  ];
  for (const [child, role] of children) {
    const time = child.metadata.annotations?.[scheduledTimeAnnotation];
    if (child.metadata.namespace !== namespace || !time) continue;
    if (controllerKey(child, retrainScheduleType.kind) !== key) continue;
    const tick = ticks.get(time) ?? { time: new Date(time), name: child.metadata.name };
    Object.assign(tick, { [role]: child });
    ticks.set(time, tick);
  }
  return [...ticks.values()].sort((a, b) => a.time.getTime() - b.time.getTime());
}

async function ignoring<T>(request: Promise<T>, ignore: (error: unknown) => boolean): Promise<T | undefined> {
  try {
    return await request;
  } catch (error) {
    if (ignore(error)) return undefined;
    throw error;
  }
}

async function deleteTick(ctx: ReconcileContext, namespace: string, tick: Tick): Promise<void> {
  // The increment first: a tick seen with only its TrainingRun left is still finished.
  for (const type of [dataIncrementType, trainingRunType])
    await ignoring(ctx.api.delete(type, namespace, tick.name), isNotFound);
}

type Started = { outcome: 'Started'; message: string } | { outcome: 'NothingToLoad'; message: string };

/**
 * Creates the tick's DataIncrement and the TrainingRun that trains on it (it waits for the load).
 * Both are named after the tick, so a tick started twice (a restart before its status was written)
 * finds them existing. A complete catalog has nothing to load: the tick creates nothing.
 */
async function startTick(
  ctx: ReconcileContext,
  schedule: RetrainSchedule,
  spec: RetrainScheduleSpec,
  time: Date,
): Promise<Started> {
  const namespace = schedule.metadata.namespace ?? '';
  const name = tickChildName(schedule.metadata.name, time);
  const metadata = {
    name,
    namespace,
    labels: { [scheduleLabel]: schedule.metadata.name },
    annotations: { [scheduledTimeAnnotation]: timestamp(time) },
    ownerReferences: [controllerReference(schedule)],
  };
  const create = <T extends KubeObject>(type: ResourceType, body: T) =>
    ignoring(ctx.api.create(type, namespace, body), isAlreadyExists);

  let amount = 'existing';
  const existing = await ignoring(
    ctx.api.request<DataIncrement>('GET', dataIncrementType.path(namespace, name)),
    isNotFound,
  );
  if (!existing) {
    const loaded = await ctx.dataLoads.loadedPercentage();
    if (loaded >= 100)
      return { outcome: 'NothingToLoad', message: 'the catalog holds 100% of the source: nothing to load' };
    const { incrementPercent, source, seed } = spec.dataIncrement;
    // The last increment of a catalog loads what remains (a load past 100% would fail).
    const last = incrementPercent >= 100 - loaded;
    amount = last ? `to 100% from ${loaded}%` : `+${incrementPercent}%`;
    await create<DataIncrement>(dataIncrementType, {
      apiVersion: dataIncrementType.apiVersion,
      kind: dataIncrementType.kind,
      metadata,
      spec: { source, seed, ...(last ? { toPercent: 100 } : { incrementPercent }) },
    });
  }
  await create<TrainingRun>(trainingRunType, {
    apiVersion: trainingRunType.apiVersion,
    kind: trainingRunType.kind,
    metadata,
    spec: { ...spec.trainingRun, dataVersion: name },
  });
  return {
    outcome: 'Started',
    message: `created DataIncrement ${name} (${amount}) and TrainingRun ${name}, which trains on it`,
  };
}

type ScheduleWriter = StatusWriter<RetrainScheduleStatus, RetrainSchedule>;

/** A tick that is not started: Forbid with an earlier tick running, or past its starting deadline. */
function skipTick(
  writer: ScheduleWriter,
  spec: RetrainScheduleSpec,
  plan: Extract<TickPlan, { action: 'skip' }>,
  activePairs: ScheduledPair[],
): Announcement {
  const time = timestamp(plan.time);
  const message =
    plan.outcome === 'Skipped'
      ? `tick ${time} skipped: ${activePairs.map((pair) => pair.trainingRun).join(', ')} still running (concurrencyPolicy Forbid)`
      : `tick ${time} skipped: not started within startingDeadlineSeconds (${spec.startingDeadlineSeconds})`;
  writer.set({ lastTick: { time, outcome: plan.outcome, message } });
  return {
    type: plan.outcome === 'Skipped' ? 'Normal' : 'Warning',
    reason: plan.outcome === 'Skipped' ? 'TickSkipped' : 'MissedDeadline',
    message,
  };
}

/**
 * Starts the tick, after deleting the active ticks Replace replaces. Returns the active pairs
 * afterwards and what to announce: the tick first, then the replacement.
 */
async function startPlannedTick(
  ctx: ReconcileContext,
  writer: ScheduleWriter,
  spec: RetrainScheduleSpec,
  plan: Extract<TickPlan, { action: 'start' }>,
  active: Tick[],
  log: Logger,
): Promise<{ activePairs: ScheduledPair[]; announcements: Announcement[] }> {
  const schedule = writer.object;
  const namespace = schedule.metadata.namespace ?? '';
  const time = timestamp(plan.time);
  const replacedTimes = new Set(plan.replace.map((at) => at.getTime()));
  const replaced = active.filter((tick) => replacedTimes.has(tick.time.getTime()));
  const announcements: Announcement[] = [];
  for (const tick of replaced) await deleteTick(ctx, namespace, tick);
  if (replaced.length > 0)
    announcements.push({
      type: 'Normal',
      reason: 'Replaced',
      message: `deleted the running tick(s) ${replaced.map((tick) => tick.name).join(', ')} (concurrencyPolicy Replace)`,
    });
  let activePairs = active.filter((tick) => !replaced.includes(tick)).map(pairOf);
  const started = await startTick(ctx, schedule, spec, plan.time);
  const message = `tick ${time}: ${started.message}`;
  writer.set({ lastTick: { time, outcome: started.outcome, message } });
  if (started.outcome === 'Started') {
    writer.set({ lastScheduleTime: time });
    const pair = pairOf({ time: plan.time, name: tickChildName(schedule.metadata.name, plan.time) });
    activePairs = [...activePairs.filter((other) => other.trainingRun !== pair.trainingRun), pair];
  }
  announcements.unshift({
    type: 'Normal',
    reason: started.outcome === 'Started' ? 'TickStarted' : 'NothingToLoad',
    message,
  });
  log.info('tick', { time, outcome: started.outcome });
  return { activePairs, announcements };
}

/** What the latest due tick calls for: start, skip or nothing. Returns the active pairs afterwards. */
async function actOnTick(
  ctx: ReconcileContext,
  writer: ScheduleWriter,
  spec: RetrainScheduleSpec,
  plan: TickPlan,
  active: Tick[],
  log: Logger,
): Promise<ScheduledPair[]> {
  if (plan.action === 'wait') return active.map(pairOf);
  const missed: Announcement[] =
    plan.missed > 0
      ? [
          {
            type: 'Warning',
            reason: 'MissedTicks',
            message: `${plan.missed > missedTickLimit ? `more than ${missedTickLimit}` : plan.missed} earlier ticks were missed (was the operator stopped?); only the latest, ${timestamp(plan.time)}, is acted on`,
          },
        ]
      : [];
  if (plan.action === 'skip') {
    const activePairs = active.map(pairOf);
    writer.announce(skipTick(writer, spec, plan, activePairs));
    for (const announcement of missed) writer.announce(announcement);
    return activePairs;
  }
  const { activePairs, announcements } = await startPlannedTick(ctx, writer, spec, plan, active, log);
  const [tick, ...replaced] = announcements;
  for (const announcement of [tick, ...missed, ...replaced]) writer.announce(announcement);
  return activePairs;
}

/**
 * RetrainSchedule, CronJob-style: at each tick of its cron schedule a DataIncrement and a TrainingRun
 * named after the tick. Only the latest due tick runs, however many were missed; Forbid skips a tick
 * while an earlier one is active, Replace deletes the active one; finished ticks beyond the history
 * limits are deleted. The reconcile is requeued for the next tick.
 */
export const retrainScheduleController = describeController({
  for: retrainSchedules,
  owns: [dataIncrements, trainingRuns],
  async reconcile(ctx, writer: ScheduleWriter, log) {
    const schedule = writer.object;
    const key = keyOf(schedule);
    const status = writer.status;
    const spec = await validSpec(schedule.spec, validRetrainScheduleSpec, (message) =>
      writer
        .set({ nextScheduleTime: undefined })
        .condition({ type: 'Ready', status: 'False', reason: 'InvalidSpec', message })
        .announce({ type: 'Warning', reason: 'InvalidSpec', message })
        .write(),
    );
    if (!spec) return undefined;
    const namespace = schedule.metadata.namespace ?? '';
    const now = ctx.now();
    const ticks = ticksOf(ctx, key, namespace);
    const active = ticks.filter((tick) => stateOf(tick) === 'Active');
    const finished = ticks.flatMap((tick) => {
      const result = stateOf(tick);
      return result === 'Active' ? [] : [{ ...tick, result }];
    });
    const history = pruneHistory(finished, spec.successfulHistoryLimit, spec.failedHistoryLimit);
    for (const tick of history.remove) await deleteTick(ctx, namespace, tick);

    const plan = planTick({
      schedule: parseCron(spec.schedule, spec.timeZone),
      now,
      since: new Date(status.lastTick?.time ?? schedule.metadata.creationTimestamp ?? now),
      suspend: spec.suspend,
      startingDeadlineSeconds: spec.startingDeadlineSeconds,
      concurrencyPolicy: spec.concurrencyPolicy,
      active: active.map((tick) => tick.time),
    });
    const nextScheduleTime = plan.next && timestamp(plan.next);
    writer.set({ nextScheduleTime });
    const activePairs = await actOnTick(ctx, writer, spec, plan, active, log);
    await writer
      .set({ active: activePairs, ...historyStatus(status, finished, history.keep) })
      .condition(
        spec.suspend
          ? {
              type: 'Ready',
              status: 'True',
              reason: 'Suspended',
              message: 'suspended: no tick starts anything',
            }
          : {
              type: 'Ready',
              status: 'True',
              reason: 'Scheduled',
              message: `next tick at ${nextScheduleTime}`,
            },
      )
      .write();
    // A little past the tick, so that the clock reads it as due.
    return plan.next ? { requeueAfterMs: waitForTickMs(plan.next, now) } : undefined;
  },
});
