/**
 * Standard 5-field cron schedules (minute hour day-of-month month day-of-week), as Kubernetes
 * CronJob reads them: ranges, steps, lists, month and weekday names, `?` for "any" in the day
 * fields, the @yearly/@annually, @monthly, @weekly, @daily/@midnight and @hourly macros, and a time
 * zone given apart from the expression (CronJob's spec.timeZone; `TZ=` inside it is refused).
 *
 * The fields are matched against the wall clock of the time zone (Intl's zone data, nothing to
 * download). Each matching wall-clock time fires once: when the clock falls back, at its first
 * occurrence; when a spring-forward jump skips it, at the instant of the jump, so a daily job set
 * in the skipped hour still runs that day.
 */
export interface CronSchedule {
  readonly expression: string;
  readonly timeZone: string;
  /** The first fire time strictly after `after`. */
  next(after: Date): Date;
  /** The last fire time strictly before `before`. */
  previous(before: Date): Date;
}

export class InvalidCron extends Error {
  override name = 'InvalidCron';
}

const minuteMs = 60_000;
const dayMs = 86_400_000;

const macros: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

const monthNames = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const dayNames = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: string[];
  /** The first name stands for this value (months count from 1). */
  nameBase?: number;
}

const fieldSpecs: FieldSpec[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: monthNames, nameBase: 1 },
  // 7 is Sunday too, as in Vixie cron.
  { name: 'day of week', min: 0, max: 7, names: dayNames, nameBase: 0 },
];

function value(text: string, spec: FieldSpec): number {
  const named = spec.names?.indexOf(text.toLowerCase()) ?? -1;
  if (named >= 0) return named + (spec.nameBase ?? 0);
  if (!/^\d+$/.test(text)) throw new InvalidCron(`${spec.name}: "${text}" is not a number`);
  const number = Number(text);
  if (number < spec.min || number > spec.max)
    throw new InvalidCron(`${spec.name}: ${number} is outside ${spec.min}-${spec.max}`);
  return number;
}

function stepOf(stepText: string | undefined, spec: FieldSpec): number {
  if (stepText === undefined) return 1;
  if (!/^\d+$/.test(stepText) || Number(stepText) === 0)
    throw new InvalidCron(`${spec.name}: step "${stepText}" must be a positive integer`);
  return Number(stepText);
}

/** The lowest and highest value of a range part (`*`, `a`, `a-b`; with a step, `a` runs to the end). */
function boundsOf(range: string, stepped: boolean, spec: FieldSpec): [number, number] {
  if (range === '*' || (range === '?' && spec.name.startsWith('day'))) return [spec.min, spec.max];
  const [first = '', last, more] = range.split('-');
  if (more !== undefined) throw new InvalidCron(`${spec.name}: "${range}" is malformed`);
  const low = value(first, spec);
  // `a/n` means from a to the end, stepping by n.
  const high = last !== undefined ? value(last, spec) : stepped ? spec.max : low;
  if (high < low) throw new InvalidCron(`${spec.name}: range "${range}" runs backwards`);
  return [low, high];
}

/** The values a field allows, as a membership table indexed by value. */
function parseField(text: string, spec: FieldSpec): boolean[] {
  const allowed = new Array<boolean>(spec.max + 1).fill(false);
  for (const part of text.split(',')) {
    const [range = '', stepText, extra] = part.split('/');
    if (extra !== undefined || range === '') throw new InvalidCron(`${spec.name}: "${part}" is malformed`);
    const step = stepOf(stepText, spec);
    const [low, high] = boundsOf(range, stepText !== undefined, spec);
    for (let v = low; v <= high; v += step) allowed[v] = true;
  }
  return allowed;
}

/** Parsed fields, matched against wall-clock times written as UTC milliseconds. */
class Fields {
  readonly minutes: boolean[];
  readonly hours: boolean[];
  readonly days: boolean[];
  readonly months: boolean[];
  readonly weekdays: boolean[];
  /** Vixie cron: when both day fields are restricted, a day matching either one matches. */
  readonly eitherDay: boolean;

  constructor(expression: string) {
    const parts = expression.trim().split(/\s+/);
    if (parts.length !== 5)
      throw new InvalidCron(`"${expression}" has ${parts.length} fields; a cron schedule has 5`);
    const [minute, hour, day, month, weekday] = parts.map((part, i) =>
      parseField(part, fieldSpecs[i] as FieldSpec),
    ) as [boolean[], boolean[], boolean[], boolean[], boolean[]];
    if (weekday[7]) weekday[0] = true;
    this.minutes = minute;
    this.hours = hour;
    this.days = day;
    this.months = month;
    this.weekdays = weekday;
    const unrestricted = (field: string | undefined) => field?.startsWith('*') || field?.startsWith('?');
    this.eitherDay = !unrestricted(parts[2]) && !unrestricted(parts[4]);
  }

  dayMatches(wall: Date): boolean {
    const day = this.days[wall.getUTCDate()] === true;
    const weekday = this.weekdays[wall.getUTCDay()] === true;
    return this.eitherDay ? day || weekday : day && weekday;
  }

  /** The first matching wall-clock minute at or after `from`, searching until `untilYear`. */
  firstFrom(from: number, untilYear: number): number | undefined {
    let at = Math.ceil(from / minuteMs) * minuteMs;
    for (;;) {
      const d = new Date(at);
      const [y, mo, day, h] = [d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours()];
      if (y > untilYear) return undefined;
      if (!this.months[mo + 1]) at = Date.UTC(y, mo + 1, 1);
      else if (!this.dayMatches(d)) at = Date.UTC(y, mo, day + 1);
      else if (!this.hours[h]) at = Date.UTC(y, mo, day, h + 1);
      else if (!this.minutes[d.getUTCMinutes()]) at += minuteMs;
      else return at;
    }
  }

  /** The last matching wall-clock minute at or before `from`, searching back to `sinceYear`. */
  lastFrom(from: number, sinceYear: number): number | undefined {
    let at = Math.floor(from / minuteMs) * minuteMs;
    for (;;) {
      const d = new Date(at);
      const [y, mo, day, h] = [d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours()];
      if (y < sinceYear) return undefined;
      if (!this.months[mo + 1]) at = Date.UTC(y, mo, 1) - minuteMs;
      else if (!this.dayMatches(d)) at = Date.UTC(y, mo, day) - minuteMs;
      else if (!this.hours[h]) at = Date.UTC(y, mo, day, h) - minuteMs;
      else if (!this.minutes[d.getUTCMinutes()]) at -= minuteMs;
      else return at;
    }
  }
}

/** A time zone's UTC offset at any instant, from Intl. */
class Zone {
  readonly #format: Intl.DateTimeFormat | undefined;

  constructor(readonly name: string) {
    if (/^[+-]/.test(name) || !name.trim())
      throw new InvalidCron(`time zone "${name}" must be an IANA name such as Europe/Paris`);
    try {
      this.#format = new Intl.DateTimeFormat('en-US', {
        timeZone: name,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      throw new InvalidCron(`unknown time zone "${name}"`);
    }
    if (this.#format.resolvedOptions().timeZone === 'UTC') this.#format = undefined;
  }

  /** Wall clock minus UTC at `instant`, in milliseconds. */
  offset(instant: number): number {
    if (!this.#format) return 0;
    const whole = Math.floor(instant / 1000) * 1000;
    const parts: Record<string, number> = {};
    for (const part of this.#format.formatToParts(whole))
      if (part.type !== 'literal') parts[part.type] = Number(part.value);
    const wall = Date.UTC(
      parts.year ?? 1970,
      (parts.month ?? 1) - 1,
      parts.day ?? 1,
      parts.hour ?? 0,
      parts.minute ?? 0,
      parts.second ?? 0,
    );
    return wall - whole;
  }

  wall(instant: number): number {
    return instant + this.offset(instant);
  }

  /** The first instant in (low, high] whose offset differs from the offset at `low` (a transition). */
  #transition(low: number, high: number): number {
    const before = this.offset(low);
    let [lo, hi] = [Math.floor(low / 1000), Math.ceil(high / 1000)];
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (this.offset(mid * 1000) === before) lo = mid;
      else hi = mid;
    }
    return hi * 1000;
  }

  /** The first instant whose wall clock reads `wall` or later (the end of a gap for a skipped time). */
  firstReaching(wall: number): number {
    const early = this.offset(wall - dayMs);
    const late = this.offset(wall + dayMs);
    const exact = [wall - early, wall - late].filter((t) => this.wall(t) === wall);
    if (exact.length > 0) return Math.min(...exact);
    return this.#transition(wall - early - 4 * 3_600_000, wall - early);
  }

  /** The latest wall clock shown at or before `instant` (ahead of its own after the clock fell back). */
  highestWallBy(instant: number): number {
    const now = this.wall(instant);
    const dayBefore = instant - dayMs;
    const earlier = this.offset(dayBefore);
    if (earlier <= this.offset(instant)) return now;
    const transition = this.#transition(dayBefore, instant);
    return Math.max(now, transition - 1 + earlier);
  }
}

const searchYears = 30;

export function parseCron(expression: string, timeZone = 'UTC'): CronSchedule {
  if (/^\s*(CRON_)?TZ=/.test(expression))
    throw new InvalidCron('set the time zone in timeZone, not as TZ= in the schedule');
  const trimmed = expression.trim();
  const fields = new Fields(macros[trimmed.toLowerCase()] ?? trimmed);
  const zone = new Zone(timeZone);
  if (fields.firstFrom(Date.UTC(2000, 0, 1), 2000 + searchYears) === undefined)
    throw new InvalidCron(`"${expression}" never matches a date`);

  return {
    expression,
    timeZone,
    next(after) {
      const from = zone.highestWallBy(after.getTime()) + 1;
      const wall = fields.firstFrom(from, new Date(from).getUTCFullYear() + searchYears);
      if (wall === undefined)
        throw new InvalidCron(`"${expression}" has no time after ${after.toISOString()}`);
      return new Date(zone.firstReaching(wall));
    },
    previous(before) {
      const from = zone.highestWallBy(before.getTime() - 1);
      const wall = fields.lastFrom(from, new Date(from).getUTCFullYear() - searchYears);
      if (wall === undefined)
        throw new InvalidCron(`"${expression}" has no time before ${before.toISOString()}`);
      return new Date(zone.firstReaching(wall));
    },
  };
}
