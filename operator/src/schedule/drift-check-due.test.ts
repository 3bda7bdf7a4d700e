import { describe, expect, test } from 'vitest';
import { checkDue, waitForCheckMs } from './drift-check-due.js';

describe('a DriftMonitor check', () => {
  const spec = { schedule: '0 6 * * *', timeZone: 'UTC' };
  const at = (iso: string) => new Date(iso);

  test('a new monitor, or one whose spec changed, is checked at once', () => {
    expect(checkDue({}, 1, spec, at('2026-01-05T10:00:00Z'))).toEqual({ due: true });
    const checked = { lastCheckTime: '2026-01-05T10:00:00Z', observedGeneration: 1 };
    expect(checkDue(checked, 2, spec, at('2026-01-05T10:01:00Z'))).toEqual({ due: true });
  });

  test('otherwise at the next scheduled time after the last check, once however many were missed', () => {
    const checked = { lastCheckTime: '2026-01-05T10:00:00Z', observedGeneration: 1 };
    expect(checkDue(checked, 1, spec, at('2026-01-05T23:00:00Z'))).toEqual({
      due: false,
      at: at('2026-01-06T06:00:00Z'),
    });
    expect(checkDue(checked, 1, spec, at('2026-01-06T06:00:00Z'))).toEqual({ due: true });
    // Down for three days: one check now; the next after it is tomorrow's.
    expect(checkDue(checked, 1, spec, at('2026-01-09T12:00:00Z'))).toEqual({ due: true });
    const caughtUp = { lastCheckTime: '2026-01-09T12:00:00Z', observedGeneration: 1 };
    expect(checkDue(caughtUp, 1, spec, at('2026-01-09T12:00:05Z'))).toEqual({
      due: false,
      at: at('2026-01-10T06:00:00Z'),
    });
  });

  test('the wait for a due check is a second past it, at most an hour', () => {
    const now = at('2026-01-05T10:00:00Z');
    expect(waitForCheckMs(at('2026-01-05T10:00:30Z'), now)).toBe(31_000);
    expect(waitForCheckMs(at('2026-01-06T06:00:00Z'), now)).toBe(3_600_000);
  });
});
