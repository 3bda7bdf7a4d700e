import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadYaml } from '@kubernetes/client-node';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { freePort } from '../../stack/processes.js';
import { waitUntil } from '../model-server/support/server.js';
import { chartDir } from './support/commands.js';

// Every alert rule of the chart (files/alert-rules.yaml, which the PrometheusRule includes as is),
// evaluated by a real Prometheus over synthetic series: for each rule, one set of series that must
// make it fire and one (a near miss: below the threshold, not for long enough, long ago or the wrong
// kind) that must leave it silent. The series are three hours of one-minute samples written as TSDB
// blocks with promtool; Prometheus loads the rules file and evaluates each rule's expression at every
// minute of its `for` window before the last sample (a rule fires when its expression holds for the
// whole window, as Prometheus's evaluation does), so the `for` durations are exercised too.
const rulesFile = path.join(chartDir, 'files/alert-rules.yaml');
const rules = (
  loadYaml(fs.readFileSync(rulesFile, 'utf8')) as {
    groups: { name: string; rules: { alert: string; expr: string; for?: string }[] }[];
  }
).groups.flatMap((group) => group.rules);

const minutes = 180;
const endSeconds = Math.floor(Date.now() / 60_000) * 60 - 10 * 60;
const startSeconds = endSeconds - minutes * 60;

type Labels = Record<string, string>;
/** A series: its metric, labels and value at minute `i` (0 … minutes). */
type Series = [metric: string, labels: Labels, value: (i: number) => number];

const counter =
  (perMinute: number, from = 0) =>
  (i: number) =>
    Math.max(0, i - from) * perMinute;
const constant = (value: number) => () => value;
const lastMinutes = (count: number, inside: number, outside: number) => (i: number) =>
  i > minutes - count ? inside : outside;
const modelServer = (namespace: string) => ({
  job: 'prodclass-model-server',
  namespace,
  service: 'classifier',
  instance: `${namespace}:8000`,
});
const buckets = ['0.05', '0.1', '0.25', '0.5', '1', '+Inf'];
/** /predict latency histogram: `perMinute` requests a minute, all in the first bucket at or above `le`. */
const latency = (namespace: string, le: string, perMinute: number): Series[] =>
  buckets.map(
    (bucket): Series => [
      'prodclass_prediction_request_duration_seconds_bucket',
      { ...modelServer(namespace), route: '/predict', track: 'primary', le: bucket },
      counter(buckets.indexOf(bucket) >= buckets.indexOf(le) ? perMinute : 0),
    ],
  );
const operator = (instance: string) => ({ job: 'prodclass-operator', instance });

/** Per alert: series, and the label that tells its firing case from its silent ones. */
const cases: Record<string, { series: Series[]; label: string; fires: string; silent: string[] }> = {
  ProdclassModelServerDown: {
    label: 'namespace',
    fires: 'down',
    silent: ['blip'],
    series: [
      ['up', modelServer('down'), lastMinutes(10, 0, 1)],
      // Down since the last minute only: not yet for the rule's two minutes.
      ['up', modelServer('blip'), (i) => (i === minutes ? 0 : 1)],
    ],
  },
  ProdclassModelServerErrorRate: {
    label: 'namespace',
    fires: 'errors',
    silent: ['few-errors'],
    series: [
      // The model server labels each series with the track that answered: the rule sums both.
      [
        'prodclass_prediction_request_duration_seconds_count',
        { ...modelServer('errors'), track: 'primary' },
        counter(50),
      ],
      [
        'prodclass_prediction_request_duration_seconds_count',
        { ...modelServer('errors'), track: 'candidate' },
        counter(50),
      ],
      [
        'prodclass_http_errors_total',
        { ...modelServer('errors'), status_code: '500', track: 'candidate' },
        counter(10),
      ],
      ['prodclass_prediction_request_duration_seconds_count', modelServer('few-errors'), counter(100)],
      ['prodclass_http_errors_total', { ...modelServer('few-errors'), status_code: '503' }, counter(3)],
      // Client errors are not server errors.
      ['prodclass_http_errors_total', { ...modelServer('few-errors'), status_code: '400' }, counter(40)],
    ],
  },
  ProdclassPredictionLatencyHigh: {
    label: 'namespace',
    fires: 'slow',
    silent: ['fast'],
    series: [...latency('slow', '0.5', 100), ...latency('fast', '0.1', 100)],
  },
  ProdclassNoPredictions: {
    label: 'namespace',
    fires: 'idle',
    silent: ['busy'],
    series: [
      ['up', modelServer('idle'), constant(1)],
      ['prodclass_predictions_total', modelServer('idle'), constant(500)],
      ['up', modelServer('busy'), constant(1)],
      ['prodclass_predictions_total', modelServer('busy'), counter(10)],
    ],
  },
  ProdclassModelReloadFailing: {
    label: 'namespace',
    fires: 'reload-failed',
    silent: ['reload-failed-long-ago'],
    series: [
      [
        'prodclass_model_reloads_total',
        { ...modelServer('reload-failed'), result: 'failure' },
        lastMinutes(5, 1, 0),
      ],
      [
        'prodclass_model_reloads_total',
        { ...modelServer('reload-failed-long-ago'), result: 'failure' },
        (i) => (i >= 60 ? 1 : 0),
      ],
      [
        'prodclass_model_reloads_total',
        { ...modelServer('reload-failed-long-ago'), result: 'success' },
        counter(1),
      ],
    ],
  },
  ProdclassInferenceLogDropping: {
    label: 'namespace',
    fires: 'dropping',
    silent: ['dropped-long-ago'],
    series: [
      [
        'prodclass_inference_log_dropped_total',
        { ...modelServer('dropping'), reason: 'write_failed' },
        counter(2, minutes - 5),
      ],
      [
        'prodclass_inference_log_dropped_total',
        { ...modelServer('dropped-long-ago'), reason: 'queue_full' },
        (i) => (i >= 50 ? 3 : 0),
      ],
    ],
  },
  ProdclassOperatorDown: {
    label: 'instance',
    fires: 'operator-down',
    silent: ['operator-restarting'],
    series: [
      ['up', operator('operator-down'), lastMinutes(10, 0, 1)],
      ['up', operator('operator-restarting'), lastMinutes(3, 0, 1)],
    ],
  },
  ProdclassOperatorReconcileErrors: {
    label: 'namespace',
    fires: 'failing',
    silent: ['some-errors'],
    series: [
      [
        'prodclass_operator_reconcile_errors_total',
        { ...operator('op:8080'), namespace: 'failing', kind: 'TrainingRun' },
        counter(12),
      ],
      [
        'prodclass_operator_reconcile_errors_total',
        { ...operator('op:8080'), namespace: 'some-errors', kind: 'TrainingRun' },
        counter(3),
      ],
    ],
  },
  ProdclassTrainingRunFailed: {
    label: 'namespace',
    fires: 'run-failed',
    silent: ['load-failed', 'run-running'],
    series: [
      ['kube_job_failed', { namespace: 'run-failed', job_name: 'r1-train', condition: 'true' }, constant(1)],
      [
        'kube_job_owner',
        { namespace: 'run-failed', job_name: 'r1-train', owner_kind: 'TrainingRun', owner_name: 'r1' },
        constant(1),
      ],
      // A DataIncrement's Job failed: not a TrainingRun.
      ['kube_job_failed', { namespace: 'load-failed', job_name: 'd1-load', condition: 'true' }, constant(1)],
      [
        'kube_job_owner',
        { namespace: 'load-failed', job_name: 'd1-load', owner_kind: 'DataIncrement', owner_name: 'd1' },
        constant(1),
      ],
      // A TrainingRun's Job that has not failed.
      ['kube_job_failed', { namespace: 'run-running', job_name: 'r2-train', condition: 'true' }, constant(0)],
      [
        'kube_job_failed',
        { namespace: 'run-running', job_name: 'r2-train', condition: 'false' },
        constant(1),
      ],
      [
        'kube_job_owner',
        { namespace: 'run-running', job_name: 'r2-train', owner_kind: 'TrainingRun', owner_name: 'r2' },
        constant(1),
      ],
    ],
  },
  ProdclassDriftAlert: {
    label: 'monitor',
    fires: 'shop/drifted',
    silent: ['shop/warning', 'shop/just-drifted'],
    series: [
      [
        'prodclass_drift_severity',
        { ...operator('op:8080'), monitor: 'shop/drifted' },
        lastMinutes(60, 2, 0),
      ],
      ['prodclass_drift_severity', { ...operator('op:8080'), monitor: 'shop/warning' }, constant(1)],
      [
        'prodclass_drift_severity',
        { ...operator('op:8080'), monitor: 'shop/just-drifted' },
        lastMinutes(20, 2, 0),
      ],
    ],
  },
  ProdclassDriftCritical: {
    label: 'monitor',
    fires: 'shop/critical',
    silent: ['shop/alert-only'],
    series: [
      [
        'prodclass_drift_severity',
        { ...operator('op:8080'), monitor: 'shop/critical' },
        lastMinutes(10, 3, 1),
      ],
      ['prodclass_drift_severity', { ...operator('op:8080'), monitor: 'shop/alert-only' }, constant(2)],
    ],
  },
};

/** The series in OpenMetrics text, each metric's samples together and in time order. */
function openMetrics(): string {
  const all = Object.values(cases).flatMap((entry) => entry.series);
  const lines: string[] = [];
  for (const metric of new Set(all.map(([name]) => name)))
    for (const [, labels, value] of all.filter(([name]) => name === metric)) {
      const text = Object.entries(labels)
        .map(([key, label]) => `${key}="${label}"`)
        .join(',');
      for (let i = 0; i <= minutes; i++)
        lines.push(`${metric}{${text}} ${value(i)} ${startSeconds + i * 60}`);
    }
  return `${lines.join('\n')}\n# EOF\n`;
}

const forSeconds = (duration: string | undefined) => {
  const match = duration?.match(/^(\d+)([smh])$/);
  return match ? Number(match[1]) * { s: 1, m: 60, h: 3600 }[match[2] as 's' | 'm' | 'h'] : 0;
};

let directory: string;
let prometheus: ChildProcess;
let url: string;

beforeAll(async () => {
  directory = fs.mkdtempSync(path.join(os.tmpdir(), 'prodclass-alert-rules-'));
  const input = path.join(directory, 'series.om');
  fs.writeFileSync(input, openMetrics());
  const data = path.join(directory, 'data');
  const blocks = spawnSync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', input, data], {
    encoding: 'utf8',
  });
  if (blocks.error)
    throw new Error(`promtool could not run (install Debian's prometheus package): ${blocks.error.message}`);
  expect(blocks.status, blocks.stdout + blocks.stderr).toBe(0);
  const config = path.join(directory, 'prometheus.yml');
  fs.writeFileSync(
    config,
    JSON.stringify({ global: { evaluation_interval: '1m' }, rule_files: [rulesFile] }),
  );
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  const binary = process.env.PROMETHEUS_BIN ?? '/usr/bin/prometheus';
  if (!fs.existsSync(binary)) throw new Error(`${binary} not found: install Debian's prometheus package`);
  const log = fs.openSync(path.join(directory, 'prometheus.log'), 'w');
  prometheus = spawn(
    binary,
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${data}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--storage.tsdb.retention.time=30d',
    ],
    { stdio: ['ignore', log, log] },
  );
  await waitUntil(
    'the test Prometheus to be ready',
    async () => (await fetch(`${url}/-/ready`).catch(() => undefined))?.ok === true,
    60_000,
  );
}, 120_000);

afterAll(async () => {
  if (prometheus && prometheus.exitCode === null) {
    const exited = new Promise((resolve) => prometheus.once('exit', resolve));
    prometheus.kill('SIGTERM');
    await exited;
  }
  if (directory) fs.rmSync(directory, { recursive: true, force: true });
});

/** The values of label `label` whose series the expression returns at every step of [from, to]. */
async function heldThroughout(expr: string, label: string, from: number, to: number): Promise<string[]> {
  const query = new URL('/api/v1/query_range', url);
  query.searchParams.set('query', expr);
  query.searchParams.set('start', String(from));
  query.searchParams.set('end', String(to));
  query.searchParams.set('step', '60');
  const answer = (await (await fetch(query)).json()) as {
    status: string;
    error?: string;
    data: { result: { metric: Labels; values: [number, string][] }[] };
  };
  expect(answer.status, answer.error).toBe('success');
  const steps = (to - from) / 60 + 1;
  return answer.data.result
    .filter((series) => series.values.length === steps)
    .map((series) => series.metric[label] as string);
}

test('every alert rule has a firing and a silent case here', () => {
  expect(Object.keys(cases).sort()).toEqual(rules.map((rule) => rule.alert).sort());
});

test('Prometheus loads the rules file as the chart ships it', async () => {
  const answer = (await (await fetch(`${url}/api/v1/rules`)).json()) as {
    data: { groups: { rules: { name: string; health: string; lastError?: string }[] }[] };
  };
  const loaded = answer.data.groups.flatMap((group) => group.rules);
  expect(loaded.map((rule) => rule.name).sort()).toEqual(rules.map((rule) => rule.alert).sort());
});

test.each(rules)('$alert fires on its case and stays silent on the near misses', async (rule) => {
  const { label, fires, silent } = cases[rule.alert] as (typeof cases)[string];
  const held = await heldThroughout(rule.expr, label, endSeconds - forSeconds(rule.for), endSeconds);
  expect(held, `${rule.alert} should fire for ${label}=${fires}`).toContain(fires);
  for (const quiet of silent)
    expect(held, `${rule.alert} should stay silent for ${label}=${quiet}`).not.toContain(quiet);
});
