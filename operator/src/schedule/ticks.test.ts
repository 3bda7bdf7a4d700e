import { describe, expect, test } from 'vitest';
import { parseCron } from './cron.js';
import { planTick, pruneHistory, type TickInput, tickChildName, waitForTickMs } from './ticks.js';

const at = (iso: string) => new Date(iso);
const everyMinute = parseCron('* * * * *');
const weekly = parseCron('0 3 * * mon', 'Europe/Paris');

const input = (extra: Partial<TickInput>): TickInput => ({
  schedule: everyMinute,
  now: at('2026-05-13T10:00:30Z'),
  since: at('2026-05-13T09:59:00Z'),
  suspend: false,
  concurrencyPolicy: 'Forbid',
  active: [],
  ...extra,
});

describe('planTick', () => {
  test('nothing due before the next tick; the next is reported', () => {
    expect(planTick(input({ since: at('2026-05-13T10:00:00Z') }))).toEqual({
      action: 'wait',
      next: at('2026-05-13T10:01:00Z'),
    });
    // A schedule created after the latest tick waits for the next one.
    expect(planTick(input({ since: at('2026-05-13T10:00:10Z') })).action).toBe('wait');
  });

  test('a due tick starts', () => {
    expect(planTick(input({}))).toEqual({
      action: 'start',
      time: at('2026-05-13T10:00:00Z'),
      missed: 0,
      replace: [],
      next: at('2026-05-13T10:01:00Z'),
    });
  });

  test('after a restart, only the latest missed tick runs, with the others counted', () => {
    const plan = planTick(input({ since: at('2026-05-13T09:54:00Z') }));
    expect(plan).toMatchObject({ action: 'start', time: at('2026-05-13T10:00:00Z'), missed: 5 });
    const weeks = planTick(
      input({ schedule: weekly, since: at('2026-04-20T01:00:00Z'), now: at('2026-05-13T10:00:00Z') }),
    );
    // Mondays 03:00 in Paris (CEST) are 01:00Z: April 27, May 4 and May 11; the last one runs.
    expect(weeks).toMatchObject({ action: 'start', time: at('2026-05-11T01:00:00Z'), missed: 2 });
    expect(weeks.next).toEqual(at('2026-05-18T01:00:00Z'));
  });

  test('more than 100 missed ticks are counted as 101 (reported as "more than 100")', () => {
    const plan = planTick(input({ since: at('2026-05-01T00:00:00Z') }));
    expect(plan).toMatchObject({ action: 'start', time: at('2026-05-13T10:00:00Z'), missed: 101 });
  });

  test('startingDeadlineSeconds: a tick too late to start is skipped as MissedDeadline', () => {
    const late = input({ now: at('2026-05-13T10:00:45Z'), startingDeadlineSeconds: 30 });
    expect(planTick(late)).toMatchObject({
      action: 'skip',
      outcome: 'MissedDeadline',
      time: at('2026-05-13T10:00:00Z'),
    });
    expect(planTick({ ...late, startingDeadlineSeconds: 60 }).action).toBe('start');
  });

  test('Forbid skips a tick while one is active; Replace starts it, replacing the active one', () => {
    const running = [at('2026-05-13T09:59:00Z')];
    expect(planTick(input({ active: running }))).toMatchObject({
      action: 'skip',
      outcome: 'Skipped',
      time: at('2026-05-13T10:00:00Z'),
    });
    expect(planTick(input({ active: running, concurrencyPolicy: 'Replace' }))).toMatchObject({
      action: 'start',
      replace: running,
    });
  });

  test('the due tick’s own children (started by a reconcile not yet seen) are neither waited for nor replaced', () => {
    const own = [at('2026-05-13T10:00:00Z')];
    expect(planTick(input({ active: own }))).toMatchObject({ action: 'start', replace: [] });
    expect(planTick(input({ active: own, concurrencyPolicy: 'Replace' }))).toMatchObject({ replace: [] });
  });

  test('suspended: nothing runs and there is no next tick', () => {
    expect(planTick(input({ suspend: true }))).toEqual({ action: 'wait' });
  });
});

describe('pruneHistory', () => {
  const tick = (minute: number, result: 'Succeeded' | 'Failed') => ({
    time: at(`2026-05-13T10:${String(minute).padStart(2, '0')}:00Z`),
    result,
  });

  test('keeps the newest of each result up to its limit and removes the rest', () => {
    const ticks = [
      tick(1, 'Succeeded'),
      tick(2, 'Failed'),
      tick(3, 'Succeeded'),
      tick(4, 'Succeeded'),
      tick(5, 'Failed'),
      tick(6, 'Succeeded'),
    ];
    const { keep, remove } = pruneHistory(ticks, 3, 1);
    expect(keep.map((t) => t.time.getUTCMinutes())).toEqual([6, 5, 4, 3]);
    expect(remove.map((t) => t.time.getUTCMinutes())).toEqual([2, 1]);
    expect(pruneHistory(ticks, 0, 0).keep).toEqual([]);
  });
});

test('children are named after the tick in unix minutes', () => {
  expect(tickChildName('weekly', at('2026-05-13T10:00:00Z'))).toBe('weekly-29644440');
});

test('the wait for the next tick ends a little past it, and is never negative', () => {
  expect(waitForTickMs(at('2026-05-13T10:01:00Z'), at('2026-05-13T10:00:30Z'))).toBe(30_100);
  expect(waitForTickMs(at('2026-05-13T10:00:00Z'), at('2026-05-13T10:00:30Z'))).toBe(100);
});
