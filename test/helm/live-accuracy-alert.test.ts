import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { OperatorMetrics } from '../../operator/src/metrics.js';
import { scrapeTargetsDir } from '../../stack/services/prometheus.js';
import { waitUntil } from '../model-server/support/server.js';
import { stackEnv } from '../support/stack-env.js';
import { chartDir, helmOk, parseManifests } from './support/commands.js';

// ProdclassLiveAccuracyLow as the chart renders it with its values set (margin 0.1, 50 labels,
// 10 minutes), played by promtool's rule tests (the Prometheus rule engine) over one-minute series
// of the operator's live-quality gauges: a version 0.2 below its test accuracy fires once the
// `for` has passed; one within the margin, one with too few labels and one that dropped only
// briefly stay silent. Then the stack's Prometheus scrapes an operator's gauges and evaluates the
// rule's expression and the dashboard's live-quality panels.
interface Rule {
  alert: string;
  expr: string;
  annotations: Record<string, string>;
}

async function renderedGroup(): Promise<{ name: string; rules: Rule[] }> {
  const objects = parseManifests(
    await helmOk(
      'template',
      'prodclass',
      chartDir,
      '--api-versions',
      'monitoring.coreos.com/v1/PrometheusRule',
      '--set-json',
      'monitoring.prometheusRule.liveAccuracy.margin=0.1',
      '--set',
      'monitoring.prometheusRule.liveAccuracy.minLabels=50',
      '--set',
      'monitoring.prometheusRule.liveAccuracy.for=10m',
    ),
  );
  const rule = objects.find((object) => object.kind === 'PrometheusRule') as
    | { spec: { groups: { name: string; rules: Rule[] }[] } }
    | undefined;
  const group = rule?.spec.groups.find((candidate) => candidate.name === 'prodclass-live-quality');
  if (!group) throw new Error('the PrometheusRule has no prodclass-live-quality group');
  return group;
}

test('the rule reads only gauges the operator exports', async () => {
  const group = await renderedGroup();
  const exported = new Set((await new OperatorMetrics().registry.getMetricsAsJSON()).map((m) => m.name));
  const used = group.rules.flatMap((rule) => rule.expr.match(/\bprodclass_[a-z0-9_]+/g) ?? []);
  expect(new Set(used)).toEqual(
    new Set(['prodclass_live_accuracy', 'prodclass_model_test_accuracy', 'prodclass_live_labels']),
  );
  expect(used.filter((name) => !exported.has(name))).toEqual([]);
});

test('promtool: fires 10 minutes after live accuracy falls more than the margin below test accuracy', async () => {
  const group = await renderedGroup();
  const [rule] = group.rules;
  if (!rule) throw new Error('the live-quality group has no rule');
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'prodclass-live-accuracy-'));
  const rulesFile = path.join(directory, 'rules.yaml');
  const testFile = path.join(directory, 'rules.test.yaml');
  fs.writeFileSync(rulesFile, JSON.stringify({ groups: [group] }));

  const operator = { job: 'prodclass-operator', instance: 'operator:8080', namespace: 'shop' };
  const labels = (service: string) => ({ ...operator, service, model_version: '7' });
  const selector = (metric: string, service: string) =>
    `${metric}{${Object.entries(labels(service))
      .map(([key, value]) => `${key}="${value}"`)
      .join(',')}}`;
  /** The three gauges of a service's version over 40 one-minute samples. */
  const version = (service: string, live: string, test: number, labeled: number) => [
    { series: selector('prodclass_live_accuracy', service), values: live },
    { series: selector('prodclass_model_test_accuracy', service), values: `${test}x40` },
    { series: selector('prodclass_live_labels', service), values: `${labeled}x40` },
  ];
  const expected = (service: string) => [
    {
      // Matched on (namespace, service, model_version): the alert carries those, not job or instance.
      exp_labels: { namespace: 'shop', service, model_version: '7', severity: 'warning' },
      exp_annotations: Object.fromEntries(
        Object.entries(rule.annotations).map(([key, text]) => [
          key,
          text
            .replaceAll('{{ $labels.namespace }}', 'shop')
            .replaceAll('{{ $labels.service }}', service)
            .replaceAll('{{ $labels.model_version }}', '7')
            .replaceAll('{{ $value | humanizePercentage }}', '70%'),
        ]),
      ),
    },
  ];
  fs.writeFileSync(
    testFile,
    JSON.stringify({
      rule_files: [rulesFile],
      evaluation_interval: '1m',
      tests: [
        {
          interval: '1m',
          input_series: [
            // 0.9 for 10 minutes, then 0.7: 0.2 below, past the margin of 0.1.
            ...version('dropped', '0.9x10 0.7x30', 0.9, 300),
            // 0.85: below test accuracy, but within the margin.
            ...version('within-margin', '0.85x40', 0.9, 300),
            // Far below, but over 40 labels, fewer than minLabels.
            ...version('few-labels', '0.5x40', 0.9, 40),
            // Below for 5 minutes only.
            ...version('brief', '0.9x10 0.6x5 0.9x25', 0.9, 300),
          ],
          alert_rule_test: [
            { eval_time: '15m', alertname: rule.alert, exp_alerts: [] },
            { eval_time: '21m', alertname: rule.alert, exp_alerts: expected('dropped') },
            { eval_time: '39m', alertname: rule.alert, exp_alerts: expected('dropped') },
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

describe('against the stack’s Prometheus scraping an operator with live-quality gauges', () => {
  const namespace = `live-accuracy-${process.pid}`;
  const metrics = new OperatorMetrics();
  let server: http.Server;
  const targetFile = path.join(scrapeTargetsDir, `helm-live-accuracy-${process.pid}.json`);
  const dashboard = JSON.parse(fs.readFileSync(path.join(chartDir, 'files/dashboard.json'), 'utf8')) as {
    panels: { title: string; targets: { expr: string }[] }[];
  };

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
    metrics.setLiveQuality({ namespace, name: 'dropped' }, [
      { modelVersion: '7', labeled: 300, coverage: 0.3, accuracy: 0.7, testAccuracy: 0.9 },
    ]);
    metrics.setLiveQuality({ namespace, name: 'fine' }, [
      { modelVersion: '3', labeled: 300, coverage: 0.3, accuracy: 0.88, testAccuracy: 0.9 },
    ]);
    server = http.createServer(async (_request, response) => {
      response.setHeader('content-type', metrics.registry.contentType);
      response.end(await metrics.registry.metrics());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const instance = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    fs.mkdirSync(scrapeTargetsDir, { recursive: true });
    // As the chart's ServiceMonitor (honorLabels): the series keep their own namespace label.
    fs.writeFileSync(
      targetFile,
      JSON.stringify([{ targets: [instance], labels: { job: 'prodclass-operator' } }]),
    );
    await waitUntil(
      'Prometheus scrapes the live-quality gauges',
      async () =>
        ((await query(`prodclass_live_accuracy{namespace="${namespace}"}`)).data?.result.length ?? 0) === 2,
    );
  }, 120_000);

  afterAll(async () => {
    fs.rmSync(targetFile, { force: true });
    await new Promise((resolve) => server?.close(resolve));
  });

  test('the rule’s expression selects the version 0.2 below its test accuracy, not the one within the margin', async () => {
    const [rule] = (await renderedGroup()).rules;
    const answer = await query(rule?.expr ?? '');
    expect(answer.status, answer.error).toBe('success');
    const mine = answer.data?.result.filter((series) => series.metric.namespace === namespace) ?? [];
    expect(
      mine.map((series) => [series.metric.service, series.metric.model_version, Number(series.value[1])]),
    ).toEqual([['dropped', '7', 0.7]]);
  });

  test.each(
    dashboard.panels.filter((panel) =>
      panel.targets.some((target) => /prodclass_(live_accuracy|label_coverage)/.test(target.expr)),
    ),
  )('panel "$title" shows both services', async ({ targets }) => {
    for (const { expr } of targets) {
      const answer = await query(expr);
      expect(answer.status, answer.error).toBe('success');
      const services = (answer.data?.result ?? [])
        .filter((series) => series.metric.namespace === namespace)
        .map((series) => series.metric.service)
        .sort();
      expect(services).toEqual(['dropped', 'fine']);
    }
  });
});
