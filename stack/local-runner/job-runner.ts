import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { KubeApi } from '@prodclass/kube/api';
import { timestamp } from '@prodclass/kube/conditions';
import type { Logger } from '@prodclass/kube/log';
import { jobType, keyOf } from '@prodclass/kube/objects';
import type { Job } from '@prodclass/kube/workloads';
import { terminationMessagePathEnv } from '@prodclass/registry/contract/job-result';
import { JobPod } from './job-pods.js';
import { containerEnv, localCommand, startProcess, type Workspace } from './workloads.js';

const finished = (job: Job) =>
  (job.status?.conditions ?? []).some(
    (c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True',
  );

/**
 * Runs each Job's pod as a local process, with a Pod object whose status ends with the container's
 * termination message as the kubelet writes it (job-pods.ts), and writes the Job status the Job controller would:
 * active, succeeded and failed counts, retries up to backoffLimit, activeDeadlineSeconds, and the
 * SuccessCriteriaMet+Complete or FailureTarget+Failed conditions the API server insists on.
 */
export class JobRunner {
  readonly #running = new Map<string, ChildProcess>();

  constructor(
    private readonly api: KubeApi,
    private readonly workspace: Workspace,
    private readonly log: Logger,
  ) {}

  observe(job: Job): void {
    const key = keyOf(job);
    if (this.#running.has(key) || finished(job) || job.metadata.deletionTimestamp) return;
    this.#running.set(key, undefined as unknown as ChildProcess);
    this.#run(job).catch((error: unknown) => this.log.error('job run failed', { job: key, error }));
  }

  forget(job: Job): void {
    const key = keyOf(job);
    this.#running.get(key)?.kill('SIGTERM');
    this.#running.delete(key);
  }

  stop(): void {
    for (const child of this.#running.values()) child?.kill('SIGTERM');
  }

  async #run(job: Job): Promise<void> {
    const key = keyOf(job);
    const namespace = job.metadata.namespace ?? 'default';
    const container = job.spec?.template.spec?.containers[0];
    if (!container) throw new Error(`Job ${key} has no container`);
    const backoffLimit = job.spec?.backoffLimit ?? 6;
    const deadline = job.spec?.activeDeadlineSeconds;
    const startTime = job.status?.startTime ?? timestamp();
    const started = Date.now();
    let failed = job.status?.failed ?? 0;
    const patch = (status: object) =>
      this.api.mergePatch(jobType, namespace, job.metadata.name, { status }, 'status');

    for (;;) {
      await patch({ startTime, active: 1, failed: failed || undefined });
      const args = localCommand(this.workspace, container);
      const pod = await JobPod.create(
        this.api,
        job,
        container,
        path.join(this.workspace.logDir, 'termination'),
      );
      const env = {
        ...(await containerEnv(this.api, namespace, container)),
        [terminationMessagePathEnv]: pod.messageFile,
      };
      const logName = `${namespace}.${job.metadata.name}`;
      const child = startProcess(this.workspace, logName, args, env);
      this.#running.set(key, child);
      this.log.info('job started', { job: key, pid: child.pid, attempt: failed + 1 });
      const remaining = deadline === undefined ? undefined : deadline * 1000 - (Date.now() - started);
      const timer =
        remaining === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), Math.max(remaining, 0));
      const code = await new Promise<number | null>((resolve) => {
        child.on('exit', (exitCode) => resolve(exitCode));
        child.on('error', () => resolve(-1));
      });
      clearTimeout(timer);
      if (!this.#running.has(key)) return;
      // The Pod's status first, as the kubelet reports it before the Job controller counts the Pod.
      await pod.exited(code ?? 137, path.join(this.workspace.logDir, `${logName}.log`));
      const now = timestamp();
      if (code === 0) {
        await patch({
          active: 0,
          succeeded: 1,
          completionTime: now,
          conditions: [
            {
              type: 'SuccessCriteriaMet',
              status: 'True',
              lastTransitionTime: now,
              reason: 'CompletionsReached',
            },
            { type: 'Complete', status: 'True', lastTransitionTime: now, reason: 'CompletionsReached' },
          ],
        });
        this.log.info('job complete', { job: key });
        this.#running.delete(key);
        return;
      }
      failed += 1;
      const pastDeadline = deadline !== undefined && Date.now() - started >= deadline * 1000;
      if (failed > backoffLimit || pastDeadline) {
        const [reason, message] = pastDeadline
          ? ['DeadlineExceeded', 'Job was active longer than specified deadline']
          : ['BackoffLimitExceeded', `Job has reached the specified backoff limit (last exit code ${code})`];
        await patch({
          active: 0,
          failed,
          conditions: [
            { type: 'FailureTarget', status: 'True', lastTransitionTime: now, reason, message },
            { type: 'Failed', status: 'True', lastTransitionTime: now, reason, message },
          ],
        });
        this.log.warn('job failed', { job: key, reason });
        this.#running.delete(key);
        return;
      }
      this.log.warn('job attempt failed; retrying', { job: key, code, failed });
    }
  }
}
