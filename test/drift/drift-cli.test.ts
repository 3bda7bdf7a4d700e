import type { DriftReport } from '@prodclass/catalog/drift/report';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { freePort } from '../../stack/processes.js';
import { runCli } from '../support/cli.js';
import { baselineTraffic, copyPredictions, generatedPredictions } from '../support/generated-predictions.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const day = 86_400_000;
let database: TestDatabase;
let env: Record<string, string>;

beforeAll(async () => {
  database = await createTestDatabase();
  env = { DATABASE_URL: database.url, PRODCLASS_REQUESTED_BY: 'drift-cli-test' };
  const now = Date.now();
  const window = { modelName: 'rakuten_classifier', modelVersion: '3', count: 1500 };
  const client = await database.connect();
  await copyPredictions(client, [
    ...generatedPredictions({
      ...window,
      from: new Date(now - 37 * day),
      to: new Date(now - 7 * day),
      profile: baselineTraffic,
      seed: 1,
    }),
    ...generatedPredictions({
      ...window,
      from: new Date(now - 7 * day),
      to: new Date(now - 60_000),
      profile: { ...baselineTraffic, textLengthMean: 560 },
      seed: 2,
    }),
  ]);
});

afterAll(async () => database?.drop());

test('drift check --json --save reports longer texts as drift and stores the report; drift ack records who and why', async () => {
  const checked = await runCli(
    ['drift', 'check', '--model', 'rakuten_classifier', '--version', '3', '--save', '--json'],
    env,
  );
  expect(checked.stderr).toBe('');
  expect(checked.code).toBe(0);
  const report = JSON.parse(checked.stdout) as DriftReport;
  expect(report).toMatchObject({
    monitor: 'drift-cli-test',
    modelName: 'rakuten_classifier',
    modelVersion: '3',
    outcome: 'Checked',
    current: { samples: 1500 },
    reference: { kind: 'window', samples: 1500 },
  });
  expect(['ALERT', 'CRITICAL']).toContain(report.severity);
  const ks = report.tests.find((result) => result.feature === 'text_length' && result.test === 'ks');
  expect(['ALERT', 'CRITICAL']).toContain(ks?.severity);

  const client = await database.connect();
  const saved = await client.query('select severity, monitor from drift_reports where id = $1', [report.id]);
  expect(saved.rows).toEqual([{ severity: report.severity, monitor: 'drift-cli-test' }]);

  const acked = await runCli(
    ['drift', 'ack', report.id, '--action', 'retrain', '--by', 'alice', '--reason', 'summer catalogue'],
    env,
  );
  expect(acked.stderr).toBe('');
  expect(JSON.parse(acked.stdout)).toMatchObject({ reportId: report.id, action: 'retrain', by: 'alice' });
  const acknowledgements = await client.query(
    'select action, acknowledged_by, reason from drift_acknowledgements where report_id = $1',
    [report.id],
  );
  expect(acknowledgements.rows).toEqual([
    { action: 'retrain', acknowledged_by: 'alice', reason: 'summer catalogue' },
  ]);
});

test('drift check without enough rows says InsufficientData; the text summary lists each test', async () => {
  const checked = await runCli(
    ['drift', 'check', '--model', 'rakuten_classifier', '--min-samples', '5000'],
    env,
  );
  expect(checked.code).toBe(0);
  expect(checked.stdout).toMatch(/InsufficientData, severity OK/);
  const summary = await runCli(['drift', 'check', '--model', 'rakuten_classifier'], env);
  expect(summary.stdout).toMatch(/text_length\/ks/);
  expect(summary.stdout).toMatch(/tokens\/oov_share/);
});

test('drift check names the new words of a window whose OOV share moved, in the summary and the JSON', async () => {
  // 1,000 texts a window; in the current one 300 carry "zorglub", a word the model does not know.
  const client = await database.connect();
  await client.query(
    `insert into inference_log (prediction_id, predicted_at, model_name, model_version, prdtypecode, confidence,
      text_length, designation, token_count, unknown_token_count)
    select gen_random_uuid(), now() - make_interval(mins => minutes), 'oov_model', '1', 10, 0.9, 10,
      case when minutes < 300 then 'Robe zorglub' else 'Robe coton' end, 2, case when minutes < 300 then 1 else 0 end
    from generate_series(1, 999) minutes
    union all
    select gen_random_uuid(), now() - interval '8 days' - make_interval(mins => minutes), 'oov_model', '1', 10, 0.9,
      10, 'Robe coton', 2, 0
    from generate_series(1, 1000) minutes`,
  );
  const summary = await runCli(['drift', 'check', '--model', 'oov_model', '--min-samples', '100'], env);
  expect(summary.stderr).toBe('');
  expect(summary.stdout).toMatch(/tokens\/oov_share .*\n\s+new words: zorglub \(299\)\n/);
  const json = await runCli(
    ['drift', 'check', '--model', 'oov_model', '--min-samples', '100', '--json'],
    env,
  );
  const report = JSON.parse(json.stdout) as DriftReport;
  const oov = report.tests.find((result) => result.test === 'oov_share');
  expect(oov?.severity).toBe('WARNING');
  expect(oov?.unknownWords).toEqual([{ word: 'zorglub', count: 299 }]);
});

test('bad input gets a one-line error, not a stack trace', async () => {
  const unknownReport = await runCli(
    ['drift', 'ack', '00000000-0000-0000-0000-000000000000', '--action', 'retrain', '--by', 'bob'],
    env,
  );
  expect(unknownReport.code).toBe(1);
  expect(unknownReport.stderr).toBe(
    'prodclass: no drift report has id 00000000-0000-0000-0000-000000000000\n',
  );
  const badAction = await runCli(['drift', 'ack', 'x', '--action', 'panic', '--by', 'bob'], env);
  expect(badAction.code).not.toBe(0);
  expect(badAction.stderr).toMatch(/Allowed choices are retrain, rollback, investigate/);
  const badWindow = await runCli(['drift', 'check', '--model', 'm', '--current', '7x'], env);
  expect(badWindow.code).not.toBe(0);
  expect(badWindow.stderr).toMatch(/positive duration such as 7d/);
  const trainingWithoutVersion = await runCli(
    ['drift', 'check', '--model', 'm', '--reference', 'training'],
    env,
  );
  expect(trainingWithoutVersion.stderr).toMatch(/--reference training needs --version/);
  expect(badWindow.stderr + trainingWithoutVersion.stderr).not.toMatch(/\n\s+at /);
});

test('with PostgreSQL unreachable, drift check retries, then says so in one line', {
  timeout: 60_000,
}, async () => {
  const url = new URL(database.url);
  url.port = String(await freePort());
  const result = await runCli(['drift', 'check', '--model', 'm'], { ...env, DATABASE_URL: url.toString() });
  expect(result.code).toBe(1);
  expect(result.stderr).toMatch(
    /^prodclass: cannot connect to PostgreSQL at 127\.0\.0\.1:\d+\/\w+: .*after 5 attempts\)\n$/,
  );
});
