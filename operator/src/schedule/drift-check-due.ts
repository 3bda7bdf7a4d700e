import type { DriftMonitorSettings, DriftMonitorStatus } from '../resources/types.js';
import { parseCron } from './cron.js';

/** Longest wait between two looks at a monitor, whatever its schedule says. */
const longestWaitMs = 3_600_000;

/**
 * Whether a DriftMonitor's check is due now, else when. A new monitor, or one whose spec changed, is
 * checked at once; otherwise at the first scheduled time after the last check, so checks missed
 * while the operator was down are made up by one check, not one per missed time.
 */
export function checkDue(
  status: Pick<DriftMonitorStatus, 'lastCheckTime' | 'observedGeneration'>,
  generation: number | undefined,
  spec: Pick<DriftMonitorSettings, 'schedule' | 'timeZone'>,
  now: Date,
): { due: true } | { due: false; at: Date } {
  if (!status.lastCheckTime || status.observedGeneration !== generation) return { due: true };
  const at = parseCron(spec.schedule, spec.timeZone).next(new Date(status.lastCheckTime));
  return at.getTime() <= now.getTime() ? { due: true } : { due: false, at };
}

/** How long to wait for the check due `at`: a little past it, so the clock reads it as due; at most an hour. */
export function waitForCheckMs(at: Date, now: Date): number {
  return Math.min(at.getTime() - now.getTime() + 1000, longestWaitMs);
}
