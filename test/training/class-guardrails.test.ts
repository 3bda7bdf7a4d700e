import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import { afterAll, expect, test } from 'vitest';
import { type CliResult, runCli } from '../support/cli.js';
import { betterButOneClassMislabelled } from '../support/growing-catalog.js';
import { stackEnv } from '../support/stack-env.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/**
 * The per-class guardrails of the promotion rule, through the CLI the TrainingRun Jobs run, on real
 * PostgreSQL and MLflow: a challenger that is better overall but has forgotten one class (its later
 * training products of class 2583 were labelled 1560) is refused, naming the class and both
 * numbers; the same challenger passes when the margin allows any drop; a critical class under its
 * floor is refused by name.
 */

interface Summary {
  model_version: number;
  promotion: { decision: 'promote' | 'reject'; reason: string; applied: boolean };
}

const splitKey = 'prodclass';
const testSize = 0.2;
let database: TestDatabase | undefined;
let source: string | undefined;
afterAll(async () => {
  await database?.drop();
  if (source) await fs.rm(source, { recursive: true, force: true });
});

function json<T>(result: CliResult): T {
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as T;
}

test('a challenger that loses a class, or keeps a critical class under its floor, is not promoted', {
  timeout: 900_000,
}, async () => {
  source = await betterButOneClassMislabelled(2583, 1560, { splitKey, testSize });
  database = await createTestDatabase();
  const env = { DATABASE_URL: database.url, MLFLOW_TRACKING_URI: stackEnv().MLFLOW_TRACKING_URI };
  const registeredModel = `guardrails_${randomBytes(4).toString('hex')}`;
  const train = async (...flags: string[]) =>
    json<Summary>(
      await runCli(
        [
          'train',
          '--registered-model',
          registeredModel,
          '--experiment',
          registeredModel,
          '--min-f1',
          '0.5',
          '--split-key',
          splitKey,
          '--test-size',
          String(testSize),
          '--auto-promote',
          ...flags,
        ],
        env,
      ),
    );
  const load = async (...target: string[]) =>
    json(await runCli(['data', 'load', '--source', source as string, ...target], env));

  await load('--to-percent', '40');
  expect((await train()).promotion.decision).toBe('promote');
  await load('--to-percent', '100');

  const forgetful = await train();
  expect(forgetful.promotion.decision).toBe('reject');
  expect(forgetful.promotion.reason).toMatch(
    /^class 2583: (recall|f1) 0\.\d{4} vs champion v1 0\.\d{4} on \d+ shared held-out products, a drop of 0\.\d{4} > the allowed 0\.1000$/,
  );

  // The same data and model without the guardrail: better overall, significantly.
  const unguarded = await train('--max-class-drop', '1', '--critical-class', '10=0.01');
  expect(unguarded.promotion).toMatchObject({ decision: 'promote', applied: true });
  expect(unguarded.promotion.reason).toMatch(/beats the champion/);

  const critical = await train('--max-class-drop', '1', '--critical-class', '1560=0.999');
  expect(critical.promotion.decision).toBe('reject');
  expect(critical.promotion.reason).toMatch(
    /^critical class 1560: (f1|recall) 0\.\d{4} is below its floor 0\.9990 \(\d+ held-out products\)$/,
  );

  const unknown = await runCli(['train', '--auto-promote', '--critical-class', '1234=0.5'], env);
  expect(unknown.code).toBe(1);
  expect(unknown.stderr).toContain('--critical-class 1234: not one of the 27 product type codes');
  expect(unknown.stderr).not.toMatch(/\n\s+at /);
});
