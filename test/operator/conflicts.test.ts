import { isConflict } from '@prodclass/kube/api';
import { writeStatus } from '@prodclass/kube/status';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { Controller } from '../../operator/src/controller.js';
import { OperatorMetrics } from '../../operator/src/metrics.js';
import { type TrainingRun, trainingRunType } from '../../operator/src/resources/types.js';
import { applyCrds, createNamespace, deleteNamespace, waitFor } from './support/cluster.js';
import { Resources, testLog } from './support/harness.js';

let namespace: string;
let resources: Resources;

beforeAll(async () => {
  await applyCrds();
  namespace = await createNamespace('op-conflict');
  resources = new Resources(namespace);
});

afterAll(async () => {
  await deleteNamespace(namespace);
});

test('a status computed from a stale object is refused with 409, and the controller retries it', async () => {
  const created = (await resources.create(
    'TrainingRun',
    'trainingruns',
    'contested',
    {},
  )) as unknown as TrainingRun;
  // Someone else changes the object after we read it.
  await resources.api.mergePatch(trainingRunType, namespace, 'contested', {
    metadata: { labels: { touched: 'yes' } },
  });
  const stale = writeStatus(resources.api, trainingRunType, created, { phase: 'Pending' });
  await expect(stale).rejects.toSatisfy(isConflict);

  // The controller's answer to a conflict: requeue with backoff and reconcile from a fresh read.
  const metrics = new OperatorMetrics();
  let attempts = 0;
  const controller = new Controller(
    'TrainingRun',
    async () => {
      attempts += 1;
      const current = attempts === 1 ? created : await resources.get('trainingruns', 'contested');
      await writeStatus(resources.api, trainingRunType, current, { phase: 'Pending' });
      return undefined;
    },
    { concurrency: 1, metrics, log: testLog('conflicts') },
  );
  controller.start();
  controller.enqueue(`${namespace}/contested`);
  await waitFor(
    'the retried status',
    async () => (await resources.get('trainingruns', 'contested')).status?.phase === 'Pending',
  );
  await controller.stop();
  expect(attempts).toBe(2);
  const counts = await metrics.reconciles.get();
  expect(counts.values).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ labels: { kind: 'TrainingRun', result: 'conflict' }, value: 1 }),
      expect.objectContaining({ labels: { kind: 'TrainingRun', result: 'success' }, value: 1 }),
    ]),
  );
});
