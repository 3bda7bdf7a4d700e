import { randomBytes } from 'node:crypto';
import { serviceType } from '@prodclass/kube/objects';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { localUrlAnnotation } from '../../stack/local-runner/service-proxy.js';
import type { TestDatabase } from '../support/test-database.js';
import { waitFor } from './support/cluster.js';
import { type Pipeline, Resources, startPipeline } from './support/harness.js';

// The continuous loop end to end, through the operator and the local runner: a served model gets
// traffic whose texts are far longer than the catalog it was trained on; the DriftMonitor compares
// the inference log with that training data, finds ALERT, creates a TrainingRun, which trains a
// better version and promotes it; the PredictionService rolls it out. Requests never stop, and
// none fails.
const suffix = randomBytes(4).toString('hex');
const registeredModel = `op_loop_${suffix}`;
const experiment = `op_loop_${suffix}`;
let namespace: string;
let database: TestDatabase;
let resources: Resources;
let pipeline: Pipeline | undefined;

beforeAll(async () => {
  pipeline = await startPipeline('op-loop');
  ({ namespace, database, resources } = pipeline);
});

afterAll(async () => {
  await pipeline?.stop();
});

const words = ['console', 'portable', 'figurine', 'collection', 'piscine', 'jardin', 'livre', 'poche'];
/** A product whose description is several kilobytes long: nothing like the catalog's texts. */
function longListing(i: number): { designation: string; description: string } {
  const description = Array.from({ length: 600 }, (_, k) => words[(i + k) % words.length]).join(' ');
  return { designation: `${words[i % words.length]} ${i}`, description };
}

async function predict(url: string, i: number): Promise<{ model: { version: string } }> {
  const response = await fetch(`${url}/predict`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(longListing(i)),
  });
  if (!response.ok) throw new Error(`predict answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as { model: { version: string } };
}

test('shifted traffic → DriftMonitor ALERT → TrainingRun trained and promoted → rolled out, 0 failed requests', async () => {
  await resources.create('PredictionService', 'predictionservices', 'classifier', { registeredModel });
  await resources.create('DataIncrement', 'dataincrements', 'initial', {
    source: { synthetic: { rows: 4000, seed: 11 } },
    toPercent: 40,
  });
  // Few features, so that the retrained version (the template's defaults) clearly beats it.
  await resources.create('TrainingRun', 'trainingruns', 'first', {
    dataVersion: 'initial',
    registeredModel,
    experiment,
    hyperparameters: { maxFeatures: 200, maxIter: 300 },
    autoPromote: { minF1: 0.2 },
  });
  const first = await resources.until(
    'trainingruns',
    'first',
    (o) => o.status?.phase === 'Failed' || Resources.condition(o, 'Promoted')?.status === 'True',
    400_000,
  );
  expect(first.status.phase).toBe('Succeeded');
  const firstVersion: string = first.status.modelVersion;
  await resources.until(
    'predictionservices',
    'classifier',
    (o) => Resources.condition(o, 'Ready')?.status === 'True' && o.status.servedVersion === firstVersion,
    240_000,
  );
  const service = await resources.getAt(serviceType.path(namespace, 'classifier'));
  const url: string = service.metadata.annotations[localUrlAnnotation];

  // Traffic from here to the end: every request must succeed.
  const versions = new Set<string>();
  const failures: string[] = [];
  let sent = 0;
  let sending = true;
  const traffic = (async () => {
    while (sending) {
      await predict(url, sent++).then(
        (prediction) => versions.add(prediction.model.version),
        (error: Error) => failures.push(error.message),
      );
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  })();
  const client = await database.connect();
  await waitFor(
    '300 shifted predictions in the inference log',
    async () => Number((await client.query('select count(*) from inference_log')).rows[0].count) >= 300,
    120_000,
  );

  await resources.create('DriftMonitor', 'driftmonitors', 'classifier-drift', {
    predictionService: 'classifier',
    currentWindow: '1h',
    referenceWindow: { source: 'TrainingData' },
    minSamples: 200,
    onDrift: 'retrain',
    cooldown: '24h',
    trainingRun: { experiment, autoPromote: { minF1: 0.2 } },
  });
  const drifted = await resources.until(
    'driftmonitors',
    'classifier-drift',
    (o) => o.status?.lastReport || Resources.condition(o, 'Ready')?.status === 'False',
    120_000,
  );
  expect(Resources.condition(drifted, 'Ready')).toMatchObject({ status: 'True', reason: 'Checked' });
  expect(['ALERT', 'CRITICAL']).toContain(drifted.status.severity);
  expect(drifted.status.referenceVersion).toBe(firstVersion);
  const textLength = drifted.status.lastReport.tests.filter(
    (t: { feature: string; severity: string }) => t.feature === 'text_length' && t.severity !== 'OK',
  );
  expect(textLength.length).toBeGreaterThan(0);
  const retrain: string = drifted.status.lastTrainingRun;
  expect(retrain).toMatch(/^classifier-drift-retrain-/);

  const retrained = await resources.until(
    'trainingruns',
    retrain,
    (o) =>
      o.status?.phase === 'Failed' ||
      (o.status?.promotion && Resources.condition(o, 'Promoted')?.status !== 'Unknown'),
    400_000,
  );
  expect(retrained.status.phase).toBe('Succeeded');
  expect(retrained.status.promotion).toMatchObject({ decision: 'promote' });
  const secondVersion: string = retrained.status.modelVersion;
  await resources.until(
    'predictionservices',
    'classifier',
    (o) => Resources.condition(o, 'Ready')?.status === 'True' && o.status.servedVersion === secondVersion,
    240_000,
  );
  const served = await predict(url, 0);
  sending = false;
  await traffic;
  expect(served.model.version).toBe(secondVersion);
  expect(failures).toEqual([]);
  expect([...versions]).toEqual(expect.arrayContaining([firstVersion, secondVersion]));
  expect(sent).toBeGreaterThan(300);
}, 1_200_000);
