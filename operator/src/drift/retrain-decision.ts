import type { DriftReport } from '@prodclass/catalog/drift/report';
import type { DriftMonitorSettings, TrainingRun } from '../resources/types.js';
import { isDrift } from './report-status.js';

/** When the monitor decided the retrain, on the operator's clock (which the cooldown is measured on). */
export const retrainTimeAnnotation = 'mlops.prodclass.dev/drift-retrain-time';

/** Whether a report calls for a TrainingRun at all: drift, on a monitor with onDrift retrain. */
export function wantsRetrain(
  report: Pick<DriftReport, 'outcome' | 'severity'>,
  spec: Pick<DriftMonitorSettings, 'onDrift'>,
): boolean {
  return isDrift(report) && spec.onDrift === 'retrain';
}

/** When a TrainingRun a monitor created was decided: its annotation, else its creation. */
export function retrainTimeOf(run: TrainingRun): string {
  return run.metadata.annotations?.[retrainTimeAnnotation] ?? run.metadata.creationTimestamp ?? '';
}

/** The monitor's newest TrainingRun, by when it was decided. */
export function newestRetrain(runs: TrainingRun[]): TrainingRun | undefined {
  return runs.toSorted((a, b) => retrainTimeOf(a).localeCompare(retrainTimeOf(b))).at(-1);
}

/**
 * Whether drift may start a TrainingRun now: not while the cooldown since the last one runs. The
 * last one is the later of what the status recorded and the newest TrainingRun the monitor owns,
 * so neither a lost status write nor an operator restart lets a second run through.
 */
export function retrainDecision(
  now: Date,
  cooldownMs: number,
  lastRetrains: (string | undefined)[],
): { retrain: true } | { retrain: false; until: Date } {
  const times = lastRetrains.flatMap((at) => (at ? [Date.parse(at)] : [])).filter(Number.isFinite);
  if (times.length === 0) return { retrain: true };
  const until = Math.max(...times) + cooldownMs;
  return until > now.getTime() ? { retrain: false, until: new Date(until) } : { retrain: true };
}
