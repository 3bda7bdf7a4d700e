import { type ChildProcess, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { jsonLogger } from '@prodclass/kube/log';
import { afterEach, beforeEach, expect, test } from 'vitest';
import type { LocalPod } from './deployment-runner.js';
import { ScrapeTargets } from './scrape-targets.js';

const log = jsonLogger('error');
let directory: string;

beforeEach(() => {
  directory = fs.mkdtempSync(path.join(os.tmpdir(), 'scrape-targets-'));
});

afterEach(() => {
  fs.rmSync(directory, { recursive: true, force: true });
});

function pod(annotations: Record<string, string>): LocalPod {
  return {
    namespace: 'shop',
    name: 'classifier-canary-abc123-40001',
    labels: {
      'app.kubernetes.io/component': 'model-server',
      'app.kubernetes.io/instance': 'classifier',
      'mlops.prodclass.dev/track': 'canary',
    },
    annotations,
    templateHash: 'abc123',
    port: 40001,
    process: {} as ChildProcess,
    ready: true,
    terminating: false,
    inFlight: 0,
  };
}

const scraped = { 'prometheus.io/scrape': 'true', 'prometheus.io/path': '/custom-metrics' };

test('one file per annotated pod, a group per selecting Service, gone when the pod stops', () => {
  let services: string[] = [];
  const targets = new ScrapeTargets(directory, () => services, log);
  const annotated = pod(scraped);
  targets.add(annotated);
  targets.add(pod({}));
  const files = fs.readdirSync(directory);
  expect(files).toEqual([`local-runner-${process.pid}-shop-classifier-canary-abc123-40001.json`]);
  const file = path.join(directory, files[0] as string);
  const labels = {
    __metrics_path__: '/custom-metrics',
    namespace: 'shop',
    pod: 'classifier-canary-abc123-40001',
    app_kubernetes_io_component: 'model-server',
    app_kubernetes_io_instance: 'classifier',
    track: 'canary',
  };
  expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual([{ targets: ['127.0.0.1:40001'], labels }]);

  services = ['classifier', 'classifier-canary'];
  targets.refresh();
  expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual(
    services.map((service) => ({ targets: ['127.0.0.1:40001'], labels: { ...labels, service } })),
  );

  targets.remove(annotated);
  expect(fs.readdirSync(directory)).toEqual([]);
});

test('files a dead runner left are removed at start; a live runner’s and foreign files stay', () => {
  const dead = spawnSync(process.execPath, ['-e', '']).pid;
  const kept = [`local-runner-${process.ppid}-shop-a.json`, 'model-server-test-1.json'];
  for (const file of [`local-runner-${dead}-shop-a.json`, ...kept])
    fs.writeFileSync(path.join(directory, file), '[]');
  new ScrapeTargets(directory, () => [], log);
  expect(fs.readdirSync(directory).sort()).toEqual(kept.sort());
});
