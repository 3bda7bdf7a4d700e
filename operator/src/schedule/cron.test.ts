import { describe, expect, test } from 'vitest';
import { InvalidCron, parseCron } from './cron.js';

const at = (iso: string) => new Date(iso);
const iso = (date: Date) => date.toISOString();

/** The next `count` fire times after `from`. */
function nextTimes(expression: string, from: string, count: number, timeZone?: string): string[] {
  const schedule = parseCron(expression, timeZone);
  const times: string[] = [];
  let cursor = at(from);
  for (let i = 0; i < count; i++) {
    cursor = schedule.next(cursor);
    times.push(iso(cursor));
  }
  return times;
}

describe('fields', () => {
  test('ranges, steps and weekday names', () => {
    // Saturday 2026-03-07: the next working-hours quarter is Monday 09:00.
    expect(nextTimes('*/15 9-17 * * mon-fri', '2026-03-07T10:00:00Z', 3)).toEqual([
      '2026-03-09T09:00:00.000Z',
      '2026-03-09T09:15:00.000Z',
      '2026-03-09T09:30:00.000Z',
    ]);
    expect(nextTimes('*/15 9-17 * * mon-fri', '2026-03-09T17:45:00Z', 1)).toEqual([
      '2026-03-10T09:00:00.000Z',
    ]);
  });

  test('lists, a start with a step, and month names', () => {
    expect(nextTimes('5/20 0 1 jan,JUL *', '2026-01-01T00:00:00Z', 4)).toEqual([
      '2026-01-01T00:05:00.000Z',
      '2026-01-01T00:25:00.000Z',
      '2026-01-01T00:45:00.000Z',
      '2026-07-01T00:05:00.000Z',
    ]);
    expect(nextTimes('0 12 * 2-4/2 *', '2026-01-15T00:00:00Z', 1)).toEqual(['2026-02-01T12:00:00.000Z']);
    expect(nextTimes('0 12 * 2-4/2 *', '2026-02-28T12:00:00Z', 1)).toEqual(['2026-04-01T12:00:00.000Z']);
  });

  test('macros', () => {
    const from = '2026-05-13T10:30:00Z'; // a Wednesday
    expect(nextTimes('@hourly', from, 1)).toEqual(['2026-05-13T11:00:00.000Z']);
    expect(nextTimes('@daily', from, 1)).toEqual(['2026-05-14T00:00:00.000Z']);
    expect(nextTimes('@midnight', from, 1)).toEqual(['2026-05-14T00:00:00.000Z']);
    expect(nextTimes('@weekly', from, 1)).toEqual(['2026-05-17T00:00:00.000Z']);
    expect(nextTimes('@monthly', from, 1)).toEqual(['2026-06-01T00:00:00.000Z']);
    expect(nextTimes('@yearly', from, 1)).toEqual(['2027-01-01T00:00:00.000Z']);
    expect(nextTimes('@annually', from, 1)).toEqual(['2027-01-01T00:00:00.000Z']);
  });

  test('both day fields restricted match either; one starred needs both', () => {
    // The 13th or a Friday.
    expect(nextTimes('0 0 13 * 5', '2026-02-01T00:00:00Z', 3)).toEqual([
      '2026-02-06T00:00:00.000Z',
      '2026-02-13T00:00:00.000Z',
      '2026-02-20T00:00:00.000Z',
    ]);
    // An odd day of the month (1, 3, ...) that is a Monday.
    expect(nextTimes('0 0 */2 * 1', '2026-02-01T00:00:00Z', 2)).toEqual([
      '2026-02-09T00:00:00.000Z',
      '2026-02-23T00:00:00.000Z',
    ]);
    expect(nextTimes('0 0 ? * 7', '2026-02-01T00:00:00Z', 1)).toEqual(['2026-02-08T00:00:00.000Z']);
  });

  test('a leap day', () => {
    expect(nextTimes('0 0 29 2 *', '2026-01-01T00:00:00Z', 2)).toEqual([
      '2028-02-29T00:00:00.000Z',
      '2032-02-29T00:00:00.000Z',
    ]);
  });

  test('next is strictly after, previous strictly before', () => {
    const schedule = parseCron('0 * * * *');
    expect(iso(schedule.next(at('2026-05-13T10:00:00Z')))).toBe('2026-05-13T11:00:00.000Z');
    expect(iso(schedule.next(at('2026-05-13T09:59:59.999Z')))).toBe('2026-05-13T10:00:00.000Z');
    expect(iso(schedule.previous(at('2026-05-13T10:00:00Z')))).toBe('2026-05-13T09:00:00.000Z');
    expect(iso(schedule.previous(at('2026-05-13T10:00:00.001Z')))).toBe('2026-05-13T10:00:00.000Z');
    expect(iso(parseCron('0 0 1 1 *').previous(at('2026-05-13T10:00:00Z')))).toBe('2026-01-01T00:00:00.000Z');
    expect(iso(parseCron('0 0 29 2 *').previous(at('2026-05-13T10:00:00Z')))).toBe(
      '2024-02-29T00:00:00.000Z',
    );
  });

  test.each([
    ['* * * *', /5/],
    ['60 * * * *', /minute: 60 is outside 0-59/],
    ['* 24 * * *', /hour/],
    ['* * 0 * *', /day of month/],
    ['* * * 13 *', /month/],
    ['* * * * 8', /day of week/],
    ['*/0 * * * *', /step/],
    ['10-5 * * * *', /backwards/],
    ['1-2-3 * * * *', /malformed/],
    ['? * * * *', /not a number/],
    ['x * * * *', /not a number/],
    ['0 0 30 2 *', /never matches/],
    ['TZ=Europe/Paris 0 0 * * *', /timeZone/],
    ['CRON_TZ=UTC 0 0 * * *', /timeZone/],
  ])('%s is refused', (expression, message) => {
    expect(() => parseCron(expression)).toThrow(InvalidCron);
    expect(() => parseCron(expression)).toThrow(message);
  });

  test.each(['Mars/Olympus', '+01:00', ''])('time zone "%s" is refused', (zone) => {
    expect(() => parseCron('0 0 * * *', zone)).toThrow(InvalidCron);
  });
});

describe('time zones', () => {
  test('fields are read on the zone’s wall clock, with its summer and winter offsets', () => {
    expect(nextTimes('0 9 * * *', '2026-01-10T00:00:00Z', 1, 'Europe/Paris')).toEqual([
      '2026-01-10T08:00:00.000Z',
    ]);
    expect(nextTimes('0 9 * * *', '2026-07-10T00:00:00Z', 1, 'Europe/Paris')).toEqual([
      '2026-07-10T07:00:00.000Z',
    ]);
    expect(nextTimes('0 0 * * *', '2026-07-10T00:00:00Z', 1, 'Asia/Kolkata')).toEqual([
      '2026-07-10T18:30:00.000Z',
    ]);
    expect(nextTimes('0 9 * * 1', '2026-07-10T00:00:00Z', 1, 'America/New_York')).toEqual([
      '2026-07-13T13:00:00.000Z',
    ]);
    expect(iso(parseCron('0 9 * * *', 'Europe/Paris').previous(at('2026-01-10T08:00:00Z')))).toBe(
      '2026-01-09T08:00:00.000Z',
    );
    expect(parseCron('0 0 * * *', 'Etc/UTC').next(at('2026-01-10T10:00:00Z'))).toEqual(
      at('2026-01-11T00:00:00Z'),
    );
  });

  // Paris: 2026-03-29 02:00 CET jumps to 03:00 CEST (01:00Z); 2026-10-25 03:00 CEST falls back to
  // 02:00 CET (01:00Z).
  test('a time skipped by the spring-forward jump fires at the jump, once', () => {
    expect(nextTimes('30 2 * * *', '2026-03-28T12:00:00Z', 2, 'Europe/Paris')).toEqual([
      '2026-03-29T01:00:00.000Z',
      '2026-03-30T00:30:00.000Z',
    ]);
    expect(nextTimes('* * * * *', '2026-03-29T00:58:00Z', 3, 'Europe/Paris')).toEqual([
      '2026-03-29T00:59:00.000Z',
      '2026-03-29T01:00:00.000Z',
      '2026-03-29T01:01:00.000Z',
    ]);
    const daily = parseCron('30 2 * * *', 'Europe/Paris');
    expect(iso(daily.previous(at('2026-03-29T01:00:00.001Z')))).toBe('2026-03-29T01:00:00.000Z');
    expect(iso(daily.previous(at('2026-03-29T01:00:00Z')))).toBe('2026-03-28T01:30:00.000Z');
  });

  test('a time repeated when the clock falls back fires once, at its first occurrence', () => {
    expect(nextTimes('30 2 * * *', '2026-10-24T12:00:00Z', 2, 'Europe/Paris')).toEqual([
      '2026-10-25T00:30:00.000Z',
      '2026-10-26T01:30:00.000Z',
    ]);
    // The repeated hour's wall times have all fired once: the next is 03:00 CET.
    expect(nextTimes('* * * * *', '2026-10-25T00:58:00Z', 2, 'Europe/Paris')).toEqual([
      '2026-10-25T00:59:00.000Z',
      '2026-10-25T02:00:00.000Z',
    ]);
    const minutely = parseCron('* * * * *', 'Europe/Paris');
    // From inside the second pass of 02:xx, previous and next agree with the above.
    expect(iso(minutely.previous(at('2026-10-25T01:30:00Z')))).toBe('2026-10-25T00:59:00.000Z');
    expect(iso(minutely.next(at('2026-10-25T01:30:00Z')))).toBe('2026-10-25T02:00:00.000Z');
    const daily = parseCron('30 2 * * *', 'Europe/Paris');
    expect(iso(daily.previous(at('2026-10-25T01:45:00Z')))).toBe('2026-10-25T00:30:00.000Z');
  });

  test('next and previous walk the same times through a year of New York DST', () => {
    const schedule = parseCron('15 */3 * * *', 'America/New_York');
    const forward: string[] = [];
    for (let t = at('2026-01-01T00:00:00Z'); t < at('2027-01-01T00:00:00Z'); ) {
      t = schedule.next(t);
      forward.push(iso(t));
    }
    const backward: string[] = [];
    for (let t = at(forward.at(-1) as string); t > at('2026-01-01T00:00:00Z'); ) {
      backward.push(iso(t));
      t = schedule.previous(t);
    }
    expect(backward.reverse()).toEqual(forward);
    // 8 a day; the two transition days lose or keep a tick only if it falls in the shifted hour.
    expect(forward.length).toBeGreaterThanOrEqual(365 * 8 - 2);
    expect(new Set(forward).size).toBe(forward.length);
  });
});
