#!/usr/bin/env node
import path from 'node:path';
import { loadConnection } from '../kube/connection.js';
import { jsonLogger } from '../log.js';
import { startLocalRunner } from './runner.js';

// Development tool: see startLocalRunner. Env: KUBECONFIG, WATCH_NAMESPACE (optional),
// PRODCLASS_ROOT (the repository, default: two levels above operator/dist), LOG_DIR,
// PROMETHEUS_TARGETS_DIR (default: the local stack's, .local/prometheus/targets in the repository).
const root = process.env.PRODCLASS_ROOT ?? path.resolve(import.meta.dirname, '../../..');
const log = jsonLogger('info', { component: 'local-runner' });
const runner = await startLocalRunner(
  loadConnection(),
  {
    root,
    logDir: process.env.LOG_DIR ?? path.join(root, '.local/logs/local-runner'),
    scrapeTargetsDir: process.env.PROMETHEUS_TARGETS_DIR ?? path.join(root, '.local/prometheus/targets'),
  },
  log,
  { namespace: process.env.WATCH_NAMESPACE?.trim() || undefined },
);
for (const signal of ['SIGTERM', 'SIGINT'] as const)
  process.once(signal, () => {
    log.info('stopping', { signal });
    runner.stop().then(() => process.exit(0));
  });
