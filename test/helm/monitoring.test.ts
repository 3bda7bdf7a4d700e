import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { loadYaml } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createServerMetrics } from '../../model-server/src/metrics.js';
import { OperatorMetrics } from '../../operator/src/metrics.js';
import { scrapeTargetsDir } from '../../stack/services/prometheus.js';
import { writeTestBundle } from '../model-server/support/bundle.js';
import { postJson, type RunningServer, startServer, waitUntil } from '../model-server/support/server.js';
import { stackEnv } from '../support/stack-env.js';
import { chartDir, helmOk, parseManifests } from './support/commands.js';

const rulesFile = path.join(chartDir, 'files/alert-rules.yaml');
const rules = loadYaml(fs.readFileSync(rulesFile, 'utf8')) as {
  groups: { name: string; rules: { alert: string; expr: string }[] }[];
};
const dashboard = JSON.parse(fs.readFileSync(path.join(chartDir, 'files/dashboard.json'), 'utf8')) as {
  panels: { title: string; targets: { refId: string; expr: string }[] }[];
};
const alertQueries = rules.groups.flatMap((group) =>
  group.rules.map((rule) => ({ name: `alert ${rule.alert}`, expr: rule.expr })),
);
const dashboardQueries = dashboard.panels.flatMap((panel) =>
  panel.targets.map((target) => ({ name: `panel "${panel.title}" ${target.refId}`, expr: target.expr })),
);

test('promtool check rules passes on the alert rules', () => {
  const promtool = spawnSync('promtool', ['check', 'rules', rulesFile], { encoding: 'utf8' });
  if (promtool.error)
    throw new Error(
      `promtool could not run (install Debian's prometheus package): ${promtool.error.message}`,
    );
  expect(promtool.status, promtool.stdout + promtool.stderr).toBe(0);
  expect(promtool.stdout).toContain(`SUCCESS: ${alertQueries.length} rules found`);
});

test("the chart's PrometheusRule holds the rules file's groups, then the live-accuracy group", async () => {
  const render = async (...values: string[]) =>
    parseManifests(
      await helmOk(
        'template',
        'prodclass',
        chartDir,
        '--api-versions',
        'monitoring.coreos.com/v1/PrometheusRule',
        ...values,
      ),
    ).find((object) => object.kind === 'PrometheusRule') as { spec: typeof rules } | undefined;
  const rule = await render();
  expect(rule?.spec.groups.slice(0, -1)).toEqual(rules.groups);
  expect(rule?.spec.groups.at(-1)?.name).toBe('prodclass-live-quality');
  const without = await render('--set', 'monitoring.prometheusRule.liveAccuracy.enabled=false');
  expect(without?.spec).toEqual(rules);
});

test('every prodclass_ metric the rules and the dashboard use is one the model server or operator exports', async () => {
  const exported = new Set<string>();
  for (const registry of [
    createServerMetrics({
      inferenceLogDepth: () => 0,
      inferenceLogSpool: () => ({ rows: 0, bytes: 0 }),
      shadowQueueDepth: () => 0,
    }).registry,
    new OperatorMetrics().registry,
  ]) {
    for (const metric of await registry.getMetricsAsJSON()) {
      exported.add(metric.name);
      if (String(metric.type) === 'histogram')
        for (const suffix of ['_bucket', '_count', '_sum']) exported.add(`${metric.name}${suffix}`);
    }
  }
  const used = new Set(
    [...alertQueries, ...dashboardQueries].flatMap(({ expr }) => expr.match(/\bprodclass_[a-z0-9_]+/g) ?? []),
  );
  expect(used.size).toBeGreaterThan(10);
  expect([...used].filter((name) => !exported.has(name))).toEqual([]);
});

describe('against the stack’s Prometheus scraping a model server', () => {
  let server: RunningServer;
  let instance: string;
  const targetFile = path.join(scrapeTargetsDir, `helm-monitoring-${process.pid}.json`);

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
  const predictionsStored = async () =>
    Number(
      (await query(`sum(prodclass_predictions_total{instance="${instance}"})`)).data?.result[0]?.value[1] ??
        0,
    );
  const predict = async (count: number) => {
    for (let i = 0; i < count; i++)
      await postJson(`${server.url}/predict`, {
        designation: `Console de jeux portable ${i}`,
        description: null,
      });
  };

  beforeAll(async () => {
    server = await startServer({ MODEL_URI: await writeTestBundle('helm-monitoring', 37) });
    instance = new URL(server.url).host;
    // The labels the chart's ServiceMonitor gives model servers.
    fs.mkdirSync(scrapeTargetsDir, { recursive: true });
    fs.writeFileSync(
      targetFile,
      JSON.stringify([
        {
          targets: [instance],
          labels: { job: 'prodclass-model-server', namespace: 'helm-monitoring', service: 'prodclass' },
        },
      ]),
    );
    await waitUntil(
      'Prometheus scrapes the model server as job prodclass-model-server',
      async () =>
        ((await query(`up{job="prodclass-model-server",instance="${instance}"} == 1`)).data?.result.length ??
          0) === 1,
    );
    // Two scrapes with predictions between them, so that rates are not zero.
    await predict(10);
    await postJson(`${server.url}/predict`, { designation: '' });
    await waitUntil('the first predictions are stored', async () => (await predictionsStored()) >= 10);
    await predict(10);
    await waitUntil('the next predictions are stored', async () => (await predictionsStored()) >= 20);
  }, 120_000);

  afterAll(async () => {
    fs.rmSync(targetFile, { force: true });
    await server?.close();
  });

  test.each([...alertQueries, ...dashboardQueries])('$name runs without error', async ({ expr }) => {
    const answer = await query(expr);
    expect(answer.error, expr).toBeUndefined();
    expect(answer.status).toBe('success');
  });

  test('every model-server panel of the dashboard shows data', async () => {
    const empty: string[] = [];
    for (const panel of dashboard.panels) {
      // No operator runs here; test/helm/drift-alerts.test.ts shows the drift panels with data,
      // test/helm/live-accuracy-alert.test.ts the live-quality ones.
      const operatorOnly = /prodclass_(operator_|drift_|live_|label_coverage|model_test_accuracy)/;
      if (panel.targets.every((target) => operatorOnly.test(target.expr))) continue;
      const results = await Promise.all(panel.targets.map((target) => query(target.expr)));
      if (results.every((answer) => (answer.data?.result.length ?? 0) === 0)) empty.push(panel.title);
    }
    expect(empty).toEqual([]);
  });
});
