import { timestamp } from '@prodclass/kube/conditions';
import type { DataIncrement, RetrainScheduleStatus, ScheduledPair, TrainingRun } from '../resources/types.js';

/** One tick's children as the caches hold them. */
export interface Tick {
  time: Date;
  name: string;
  dataIncrement?: DataIncrement;
  trainingRun?: TrainingRun;
}

export type TickState = 'Active' | 'Succeeded' | 'Failed';

/** A tick is over when its TrainingRun is, or when its DataIncrement ended without one to train. */
export function stateOf(tick: Tick): TickState {
  const run = tick.trainingRun?.status?.phase;
  if (tick.trainingRun) return run === 'Succeeded' ? 'Succeeded' : run === 'Failed' ? 'Failed' : 'Active';
  const load = tick.dataIncrement?.status?.phase;
  return load === 'Succeeded' || load === 'Failed' ? 'Failed' : 'Active';
}

export const pairOf = (tick: Tick): ScheduledPair => ({
  scheduledTime: timestamp(tick.time),
  dataIncrement: tick.name,
  trainingRun: tick.name,
});

/** The finished ticks kept, and the latest success (pruned ticks included: a limit of 0 still records it). */
export function historyStatus(
  status: RetrainScheduleStatus,
  finished: (Tick & { result: 'Succeeded' | 'Failed' })[],
  keep: (Tick & { result: 'Succeeded' | 'Failed' })[],
): Pick<RetrainScheduleStatus, 'recent' | 'lastSuccessfulTime'> {
  const recent = keep.map((tick) => ({
    ...pairOf(tick),
    result: tick.result,
    modelVersion: tick.trainingRun?.status?.modelVersion,
    promotion: tick.trainingRun?.status?.promotion?.decision,
  }));
  const lastSuccessfulTime = [
    status.lastSuccessfulTime,
    ...finished.filter((tick) => tick.result === 'Succeeded').map((tick) => timestamp(tick.time)),
  ]
    .filter((time): time is string => time !== undefined)
    .sort()
    .at(-1);
  return { recent, lastSuccessfulTime };
}
