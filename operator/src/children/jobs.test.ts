import type { Job, Pod } from '@prodclass/kube/workloads';
import { expect, test } from 'vitest';
import { cliJob, jobState, succeededPodMessage } from './jobs.js';

const job = (status: Job['status']): Job => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { name: 'run-train', namespace: 'ml' },
  status,
});

test('a Job with no status or no active pod is pending; with an active pod, running', () => {
  expect(jobState(job(undefined))).toEqual({ state: 'pending' });
  expect(jobState(job({ active: 0 }))).toEqual({ state: 'pending' });
  expect(jobState(job({ active: 1 }))).toEqual({ state: 'running' });
});

test('Complete=True completes it, with the completion time the Job controller recorded', () => {
  const conditions = [{ type: 'Complete', status: 'True' }];
  expect(jobState(job({ conditions, completionTime: '2026-03-01T10:00:00Z' }))).toEqual({
    state: 'complete',
    completionTime: '2026-03-01T10:00:00Z',
  });
  expect(jobState(job({ conditions, active: 1 }))).toEqual({ state: 'complete', completionTime: undefined });
});

test('Failed=True fails it with the Job controller reason and message, or defaults naming the Job', () => {
  const failed = { type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded', message: 'reached limit' };
  expect(jobState(job({ conditions: [failed] }))).toEqual({
    state: 'failed',
    reason: 'BackoffLimitExceeded',
    message: 'reached limit',
  });
  expect(jobState(job({ conditions: [{ type: 'Failed', status: 'True' }] }))).toEqual({
    state: 'failed',
    reason: 'JobFailed',
    message: 'Job run-train failed',
  });
});

test('conditions that are not True do not count', () => {
  const conditions = [
    { type: 'Complete', status: 'False' },
    { type: 'Failed', status: 'Unknown' },
  ];
  expect(jobState(job({ conditions, active: 1 }))).toEqual({ state: 'running' });
});

const pod = (phase: NonNullable<Pod['status']>['phase'], exitCode: number, message?: string): Pod => ({
  metadata: { name: `run-train-${phase}` },
  status: {
    phase,
    containerStatuses: [
      {
        name: 'prodclass',
        image: 'prodclass/trainer-job',
        imageID: '',
        ready: false,
        restartCount: 0,
        state: { terminated: { exitCode, message } },
      },
    ],
  },
});

test('the result is the termination message of the Pod whose container exited 0', () => {
  expect(
    succeededPodMessage([pod('Failed', 1, 'prodclass: boom'), pod('Succeeded', 0, '{"kind":"train"}')]),
  ).toBe('{"kind":"train"}');
  expect(succeededPodMessage([pod('Failed', 1, 'prodclass: boom')])).toBeUndefined();
  expect(succeededPodMessage([pod('Succeeded', 0)])).toBeUndefined();
  expect(succeededPodMessage([])).toBeUndefined();
});

test('a Job container reports its result in the termination message, or its log when it fails', () => {
  const job = cliJob(
    {
      trainerImage: 'trainer',
      modelServerImage: 'server',
      pipelineSecret: 'pipeline',
      modelServerSpoolMebibytes: 256,
    },
    {
      name: 'run-train',
      namespace: 'ml',
      owner: { apiVersion: 'v1', kind: 'TrainingRun', name: 'run', uid: 'u1' },
      component: 'training',
      args: ['train'],
      backoffLimit: 1,
    },
  );
  expect(job.spec?.template.spec?.containers[0]).toMatchObject({
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'FallbackToLogsOnError',
  });
});
