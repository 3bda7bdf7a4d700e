import { timestamp } from '@prodclass/kube/conditions';
import type { Job } from '@prodclass/kube/workloads';
import type { JobState } from '../children/jobs.js';
import type { Announcement, ObjectStatus, StatusWriter } from '../manager/status-writer.js';
import type { Phase } from '../resources/types.js';

/** The status fields of a kind that does its work in one Job (DataIncrement, TrainingRun). */
export interface JobDrivenStatus extends ObjectStatus {
  phase?: Phase;
  jobName?: string;
  startTime?: string;
  completionTime?: string;
}

type Writer = StatusWriter<JobDrivenStatus>;

/**
 * The first reconcile that sees the Job records it, along with whatever else it writes: its name,
 * its start and a JobCreated condition.
 */
export function recordJob(writer: Writer, job: Job, message: string): void {
  writer
    .set({ jobName: job.metadata.name, startTime: job.metadata.creationTimestamp ?? timestamp() })
    .condition({ type: 'JobCreated', status: 'True', reason: 'JobCreated', message });
}

/** Failed for good: `condition` and Ready False, and a Warning event. */
export function fail(writer: Writer, condition: string, reason: string, message: string): Promise<undefined> {
  return writer
    .set({ phase: 'Failed', completionTime: timestamp() })
    .condition(
      { type: condition, status: 'False', reason, message },
      { type: 'Ready', status: 'False', reason: 'Failed', message },
    )
    .announce({ type: 'Warning', reason, message })
    .write()
    .then(() => undefined);
}

/**
 * The Job has not finished: Running or Pending, `condition` Unknown for `reason`, and the event
 * `created` when this write is the first to record the Job.
 */
export function waitForJob(
  writer: Writer,
  state: JobState,
  jobName: string,
  condition: string,
  reason: string,
  created: Announcement,
): Promise<undefined> {
  const recorded = writer.status.jobName !== undefined;
  const waiting = `waiting for Job ${jobName}`;
  return writer
    .set({ phase: state.state === 'running' ? 'Running' : 'Pending' })
    .condition(
      { type: condition, status: 'Unknown', reason, message: waiting },
      { type: 'Ready', status: 'False', reason, message: waiting },
    )
    .announce(recorded ? undefined : created)
    .write()
    .then(() => undefined);
}
