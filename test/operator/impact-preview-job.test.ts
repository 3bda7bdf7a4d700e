import { randomBytes } from 'node:crypto';
import type { ImpactResult } from '@prodclass/registry/contract/job-result';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type CliResult, runCli } from '../support/cli.js';
import { stackEnv } from '../support/stack-env.js';
import { type Pipeline, Resources, startPipeline } from './support/harness.js';
import { aliasVersion } from './support/mlflow.js';

// End to end on the local stack: the operator's preview Job runs the real `prodclass model impact`
// through the local runner, on two versions trained on different data, and its result is the status.
const registeredModel = `op_impact_job_${randomBytes(4).toString('hex')}`;
let pipeline: Pipeline;
let env: Record<string, string>;

function succeeded(result: CliResult): string {
  expect(result.code, result.stderr).toBe(0);
  return result.stdout;
}

beforeAll(async () => {
  pipeline = await startPipeline('op-impact-job');
  env = { DATABASE_URL: pipeline.database.url, MLFLOW_TRACKING_URI: stackEnv().MLFLOW_TRACKING_URI };
  const load = (percent: string) =>
    runCli(
      ['data', 'load', '--source', 'synthetic', '--synthetic-rows', '4000', '--to-percent', percent],
      env,
    );
  const train = (maxFeatures: string) =>
    runCli(
      [
        'train',
        '--registered-model',
        registeredModel,
        '--experiment',
        registeredModel,
        '--max-features',
        maxFeatures,
      ],
      env,
    );
  succeeded(await load('40'));
  succeeded(await train('150'));
  succeeded(await load('70'));
  succeeded(await train('500'));
  succeeded(await runCli(['promote', '--registered-model', registeredModel, '--version', '1'], env));
}, 300_000);

afterAll(() => pipeline?.stop());

test('the preview Job runs the real command through the local runner; its result is the status', {
  timeout: 300_000,
}, async () => {
  const expected = JSON.parse(
    succeeded(
      await runCli(['model', 'impact', '--registered-model', registeredModel, '--candidate', '2'], env),
    ),
  ) as ImpactResult;
  expect(expected.changed).toBeGreaterThan(0);
  await pipeline.resources.create('ModelPromotion', 'modelpromotions', 'previewed', {
    registeredModel,
    version: 2,
    impactPreview: true,
  });
  const done = await pipeline.resources.until(
    'modelpromotions',
    'previewed',
    (o) => o.status?.phase === 'Succeeded' || o.status?.phase === 'Failed',
    240_000,
  );
  expect(done.status.phase).toBe('Succeeded');
  const { kind: _, registeredModel: __, ...figures } = expected;
  expect(done.status.impactPreview).toMatchObject({ jobName: 'previewed-impact', ...figures });
  expect(Resources.condition(done, 'ImpactPreviewed')).toMatchObject({ status: 'True', reason: 'Previewed' });
  expect(await aliasVersion(registeredModel, 'production')).toBe('2');
});
