import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { loadYaml } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { OperatorMetrics } from '../../operator/src/metrics.js';
import { scrapeTargetsDir } from '../../stack/services/prometheus.js';
import { waitUntil } from '../model-server/support/server.js';
import { stackEnv } from '../support/stack-env.js';
import { chartDir } from './support/commands.js';

// The chart's drift alerts and panels: promtool's rule tests play series through the alerts'
// `for` durations; the stack's Prometheus scrapes an operator's metrics as the chart's
// ServiceMonitor would (job prodclass-operator) and evaluates the same expressions.
const rulesFile = path.join(chartDir, 'files/alert-rules.yaml');
const rules = loadYaml(fs.readFileSync(rulesFile, 'utf8')) as {
  groups: { name: string; rules: { alert: string; expr: string; annotations: Record<string, string> }[] }[];
};
const driftRules = rules.groups.find((group) => group.name === 'prodclass-drift')?.rules ?? [];
const dashboard = JSON.parse(fs.readFileSync(path.join(chartDir, 'files/dashboard.json'), 'utf8')) as {
  panels: { title: string; targets: { expr: string }[] }[];
};
const driftPanels = dashboard.panels.filter((panel) =>
  panel.targets.some((target) => target.expr.includes('prodclass_drift_')),
);

test('the chart has the drift alerts and panels', () => {
  expect(driftRules.map((rule) => rule.alert)).toEqual(['ProdclassDriftAlert', 'ProdclassDriftCritical']);
  expect(driftPanels.map((panel) => panel.title)).toEqual(['Drift severity', 'Drift score per test']);
});

test('promtool: ALERT fires after 30 minutes of severity 2 or more, CRITICAL after 5 of severity 3', () => {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'prodclass-drift-rules-'));
  const testFile = path.join(directory, 'drift.test.yaml');
  // One sample a minute: WARNING for 10 minutes, ALERT for 40, then CRITICAL; another monitor stays OK.
  const firing = (alertname: string, severity: string) => {
    const monitor = 'shop/classifier-drift';
    const rule = driftRules.find((candidate) => candidate.alert === alertname);
    const annotations = Object.fromEntries(
      Object.entries(rule?.annotations ?? {}).map(([key, text]) => [
        key,
        text.replaceAll('{{ $labels.monitor }}', monitor),
      ]),
    );
    return [{ exp_labels: { monitor, severity }, exp_annotations: annotations }];
  };
  fs.writeFileSync(
    testFile,
    JSON.stringify({
      rule_files: [rulesFile],
      evaluation_interval: '1m',
      tests: [
        {
          interval: '1m',
          input_series: [
            {
              series: 'prodclass_drift_severity{monitor="shop/classifier-drift",job="prodclass-operator"}',
              values: '1x10 2x40 3x20',
            },
            {
              series: 'prodclass_drift_severity{monitor="shop/quiet",job="prodclass-operator"}',
              values: '0x70',
            },
          ],
          alert_rule_test: [
            { eval_time: '35m', alertname: 'ProdclassDriftAlert', exp_alerts: [] },
            {
              eval_time: '45m',
              alertname: 'ProdclassDriftAlert',
              exp_alerts: firing('ProdclassDriftAlert', 'warning'),
            },
            { eval_time: '45m', alertname: 'ProdclassDriftCritical', exp_alerts: [] },
            { eval_time: '53m', alertname: 'ProdclassDriftCritical', exp_alerts: [] },
            {
              eval_time: '58m',
              alertname: 'ProdclassDriftCritical',
              exp_alerts: firing('ProdclassDriftCritical', 'critical'),
            },
            {
              eval_time: '58m',
              alertname: 'ProdclassDriftAlert',
              exp_alerts: firing('ProdclassDriftAlert', 'warning'),
            },
          ],
        },
      ],
    }),
  );
  const promtool = spawnSync('promtool', ['test', 'rules', testFile], { encoding: 'utf8' });
  fs.rmSync(directory, { recursive: true, force: true });
  if (promtool.error)
    throw new Error(
      `promtool could not run (install Debian's prometheus package): ${promtool.error.message}`,
    );
  expect(promtool.status, promtool.stdout + promtool.stderr).toBe(0);
});

describe('against the stack’s Prometheus scraping an operator with drift metrics', () => {
  const monitor = `drift-alerts/${process.pid}`;
  const metrics = new OperatorMetrics();
  let server: http.Server;
  let instance: string;
  const targetFile = path.join(scrapeTargetsDir, `helm-drift-alerts-${process.pid}.json`);

  async function query(expr: string) {
    const url = new URL('/api/v1/query', stackEnv().PROMETHEUS_URL);
    url.searchParams.set('query', expr);
    const response = await fetch(url).catch((error: Error) => {
      throw new Error(`Prometheus at ${url.origin} is unreachable: ${error.message}`);
    });
    return (await response.json()) as {
      status: string;
      error?: string;
      data?: { result: { metric: Record<string, string>; value: [number, string] }[] };
    };
  }

  beforeAll(async () => {
    metrics.setDrift(monitor, {
      severity: 'CRITICAL',
      tests: [
        { feature: 'text_length', test: 'psi', statistic: 0.42 },
        { feature: 'predicted_class', test: 'chi2', statistic: 0.03 },
      ],
    });
    server = http.createServer(async (_request, response) => {
      response.setHeader('content-type', metrics.registry.contentType);
      response.end(await metrics.registry.metrics());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    instance = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    fs.mkdirSync(scrapeTargetsDir, { recursive: true });
    fs.writeFileSync(
      targetFile,
      JSON.stringify([
        { targets: [instance], labels: { job: 'prodclass-operator', namespace: 'prodclass-system' } },
      ]),
    );
    await waitUntil(
      'Prometheus scrapes the drift metrics',
      async () =>
        ((await query(`prodclass_drift_severity{instance="${instance}"}`)).data?.result.length ?? 0) === 1,
    );
  }, 120_000);

  afterAll(async () => {
    fs.rmSync(targetFile, { force: true });
    await new Promise((resolve) => server?.close(resolve));
  });

  test.each(driftRules)('$alert: its expression selects the drifted monitor', async ({ expr }) => {
    const answer = await query(expr);
    expect(answer.status, answer.error).toBe('success');
    const mine = answer.data?.result.filter((series) => series.metric.monitor === monitor) ?? [];
    expect(mine.map((series) => Number(series.value[1]))).toEqual([3]);
  });

  test.each(driftPanels)('panel "$title" shows the monitor', async ({ targets }) => {
    for (const { expr } of targets) {
      const answer = await query(expr);
      expect(answer.status, answer.error).toBe('success');
      const mine = answer.data?.result.filter((series) => series.metric.monitor === monitor) ?? [];
      expect(mine.length).toBeGreaterThan(0);
    }
  });

  test('the score panel has one series per test, with its statistic', async () => {
    const answer = await query(
      `max by (monitor, feature, test) (prodclass_drift_score{monitor="${monitor}"})`,
    );
    const scores = Object.fromEntries(
      (answer.data?.result ?? []).map((series) => [
        `${series.metric.feature} ${series.metric.test}`,
        Number(series.value[1]),
      ]),
    );
    expect(scores).toEqual({ 'text_length psi': 0.42, 'predicted_class chi2': 0.03 });
  });
});
