import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import { afterAll, expect, test } from 'vitest';
import { betterWithMoreData, worseWithMoreData } from '../support/growing-catalog.js';
import { type Pipeline, startPipeline } from './support/harness.js';

// The continuous loop of the demo, through the operator and the local runner: v1 trained on 40%,
// then a RetrainSchedule ticking every minute loads +3% and trains a challenger, judged by the
// promotion rule (docs/training.md). More data that is genuinely better gets a challenger
// promoted; more data that is worse gets none. The operator's clock moves to the next minute once
// every tick so far is decided, so the loop runs as fast as it trains instead of once a minute.
const pipelines: Pipeline[] = [];
const sources: string[] = [];
afterAll(async () => {
  for (const pipeline of pipelines) await pipeline.stop();
  for (const source of sources) await fs.rm(source, { recursive: true, force: true });
});

interface TickRun {
  metadata: { name: string; creationTimestamp: string };
  status?: { phase?: string; promotion?: { decision: string; reason: string } };
}

/** The promotion decisions of the first four ticks' TrainingRuns, in tick order. */
async function loopDecisions(source: string): Promise<string[]> {
  let clockOffsetMs = 0;
  const pipeline = await startPipeline('op-fair', { clock: () => new Date(Date.now() + clockOffsetMs) });
  pipelines.push(pipeline);
  const { resources } = pipeline;
  const suffix = randomBytes(4).toString('hex');
  const training = {
    registeredModel: `op_fair_${suffix}`,
    experiment: `op_fair_${suffix}`,
    autoPromote: { minF1: 0.5 },
  };
  const files = { files: { path: source } };
  await resources.create('DataIncrement', 'dataincrements', 'initial', { source: files, toPercent: 40 });
  await resources.create('TrainingRun', 'trainingruns', 'first', { ...training, dataVersion: 'initial' });
  const first = await resources.until(
    'trainingruns',
    'first',
    (o) => o.status?.phase === 'Failed' || o.status?.promotion !== undefined,
    600_000,
  );
  expect(first.status.promotion?.decision).toBe('promote');

  await resources.create('RetrainSchedule', 'retrainschedules', 'loop', {
    schedule: '* * * * *',
    // Finished ticks are pruned beyond this; the test reads the first four.
    successfulHistoryLimit: 10,
    dataIncrement: { source: files, incrementPercent: 3 },
    trainingRun: training,
  });
  const selector = encodeURIComponent('mlops.prodclass.dev/retrain-schedule=loop');
  let decided: TickRun[] = [];
  let movedAtTicks = -1;
  const deadline = Date.now() + 1_500_000;
  while (decided.length < 4) {
    if (Date.now() > deadline) throw new Error(`only ${decided.length} ticks decided in 25 minutes`);
    const { items } = (await resources.getAt(
      `${resources.path('trainingruns')}?labelSelector=${selector}`,
    )) as {
      items: TickRun[];
    };
    const failed = items.find((run) => run.status?.phase === 'Failed');
    if (failed) throw new Error(`${failed.metadata.name} failed: ${JSON.stringify(failed.status)}`);
    decided = items
      .filter((run) => run.status?.promotion)
      .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
    if (decided.length === items.length && items.length !== movedAtTicks && decided.length < 4) {
      // Every tick so far is decided: the next minute comes now, and a metadata change wakes the
      // reconcile that would otherwise sleep until the real minute.
      movedAtTicks = items.length;
      clockOffsetMs += 60_000;
      await resources.api.request('PATCH', resources.path('retrainschedules', 'loop'), {
        body: { metadata: { annotations: { 'test.prodclass.dev/minute': String(clockOffsetMs) } } },
        contentType: 'application/merge-patch+json',
      });
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  await resources.api.request('PATCH', resources.path('retrainschedules', 'loop'), {
    body: { spec: { suspend: true } },
    contentType: 'application/merge-patch+json',
  });
  const ticks = decided.slice(0, 4);
  console.log(JSON.stringify(ticks.map((run) => [run.metadata.name, run.status?.promotion?.reason])));
  return ticks.map((run) => run.status?.promotion?.decision as string);
}

test('a RetrainSchedule promotes a challenger when more data is genuinely better', {
  timeout: 2_400_000,
}, async () => {
  const source = await betterWithMoreData();
  sources.push(source);
  expect(await loopDecisions(source)).toContain('promote');
});

test('a RetrainSchedule promotes no challenger when more data is worse', { timeout: 2_400_000 }, async () => {
  const source = await worseWithMoreData();
  sources.push(source);
  expect(await loopDecisions(source)).toEqual(['reject', 'reject', 'reject', 'reject']);
});
