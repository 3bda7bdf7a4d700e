import type { CronSchedule } from './cron.js';

/** More missed ticks than this are reported as "more than", as CronJob does. */
export const missedTickLimit = 100;

export interface TickInput {
  schedule: CronSchedule;
  now: Date;
  /** The latest tick already handled, or the schedule's creation: only later ticks are due. */
  since: Date;
  suspend: boolean;
  startingDeadlineSeconds?: number;
  concurrencyPolicy: 'Forbid' | 'Replace';
  /** The times of the ticks whose children are still in progress. */
  active: Date[];
}

/**
 * What to do now. Only the latest due tick is acted on, however many were missed (an operator that
 * was down runs once, not once per tick); `missed` counts the earlier ones it passes over.
 */
export type TickAction =
  | { action: 'wait' }
  | { action: 'start'; time: Date; missed: number; replace: Date[] }
  | { action: 'skip'; time: Date; missed: number; outcome: 'Skipped' | 'MissedDeadline' };

export type TickPlan = TickAction & {
  /** The next tick after now; undefined while suspended. */
  next?: Date;
};

export function planTick(input: TickInput): TickPlan {
  const { schedule, now, since } = input;
  if (input.suspend) return { action: 'wait' };
  const next = schedule.next(now);
  const latest = schedule.previous(new Date(now.getTime() + 1));
  if (latest <= since) return { action: 'wait', next };

  let missed = 0;
  for (let t = schedule.next(since); t < latest && missed <= missedTickLimit; t = schedule.next(t)) missed++;
  const deadline = input.startingDeadlineSeconds;
  if (deadline !== undefined && now.getTime() - latest.getTime() > deadline * 1000)
    return { action: 'skip', time: latest, missed, outcome: 'MissedDeadline', next };
  // The tick itself may already have children: started before, by a reconcile whose status write
  // has not been seen yet.
  const earlier = input.active.filter((time) => time < latest);
  if (earlier.length > 0 && input.concurrencyPolicy === 'Forbid')
    return { action: 'skip', time: latest, missed, outcome: 'Skipped', next };
  return { action: 'start', time: latest, missed, replace: earlier, next };
}

/** How long to wait for the next tick: a little past it, so that the clock reads it as due. */
export function waitForTickMs(next: Date, now: Date): number {
  return Math.max(0, next.getTime() - now.getTime()) + 100;
}

export interface FinishedTick {
  time: Date;
  result: 'Succeeded' | 'Failed';
}

/**
 * Which finished ticks to keep (newest first, up to each limit) and which to delete, like
 * CronJob's successful and failed Jobs history limits.
 */
export function pruneHistory<T extends FinishedTick>(
  finished: T[],
  successfulLimit: number,
  failedLimit: number,
): { keep: T[]; remove: T[] } {
  const newestFirst = [...finished].sort((a, b) => b.time.getTime() - a.time.getTime());
  const kept = { Succeeded: 0, Failed: 0 };
  const keep: T[] = [];
  const remove: T[] = [];
  for (const tick of newestFirst) {
    const limit = tick.result === 'Succeeded' ? successfulLimit : failedLimit;
    if (kept[tick.result] < limit) {
      kept[tick.result]++;
      keep.push(tick);
    } else remove.push(tick);
  }
  return { keep, remove };
}

/** The children of a tick are named after it: `<schedule>-<unix minutes>`. */
export function tickChildName(schedule: string, time: Date): string {
  return `${schedule}-${Math.floor(time.getTime() / 60_000)}`;
}
