import path from 'node:path';
import { loadConnection } from '@prodclass/kube/connection';
import { jsonLogger } from '@prodclass/kube/log';
import { logDir, repoRoot } from '../paths.js';
import { scrapeTargetsDir } from '../services/prometheus.js';
import { startLocalRunner } from './runner.js';

// Development tool, run from the repository with tsx: `node --import tsx stack/local-runner/main.ts`
// (see startLocalRunner). Env: KUBECONFIG, WATCH_NAMESPACE (optional), PRODCLASS_ROOT (the
// repository whose builds it runs, default: this one), LOG_DIR (default: the stack's logs,
// local-runner/), PROMETHEUS_TARGETS_DIR (default: the stack's Prometheus target directory).
const root = process.env.PRODCLASS_ROOT ?? repoRoot;
const log = jsonLogger('info', { component: 'local-runner' });
const runner = await startLocalRunner(
  loadConnection(),
  {
    root,
    logDir: process.env.LOG_DIR ?? path.join(logDir, 'local-runner'),
    scrapeTargetsDir: process.env.PROMETHEUS_TARGETS_DIR ?? scrapeTargetsDir,
  },
  log,
  { namespace: process.env.WATCH_NAMESPACE?.trim() || undefined },
);
for (const signal of ['SIGTERM', 'SIGINT'] as const)
  process.once(signal, () => {
    log.info('stopping', { signal });
    runner.stop().then(() => process.exit(0));
  });
