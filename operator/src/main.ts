#!/usr/bin/env node
import { type Connection, loadConnection } from '@prodclass/kube/connection';
import { jsonLogger } from '@prodclass/kube/log';
import { type OperatorSettings, settingsFromEnv } from './config.js';
import { registryPromote } from './external/registry-promotion.js';
import { startOperator } from './operator.js';

let settings: OperatorSettings;
let connection: Connection;
try {
  settings = settingsFromEnv();
  connection = loadConnection();
} catch (error) {
  process.stderr.write(`prodclass-operator: ${(error as Error).message}\n`);
  process.exit(2);
}
const log = jsonLogger(settings.logLevel, { component: 'operator', identity: settings.identity });
const operator = await startOperator(
  settings,
  connection,
  registryPromote(settings.databaseUrl, settings.mlflowTrackingUri),
  log,
);
log.info('operator started', { httpPort: operator.httpPort, namespace: settings.watchNamespace ?? '(all)' });

for (const signal of ['SIGTERM', 'SIGINT'] as const)
  process.once(signal, () => {
    log.info('shutting down', { signal });
    void operator.stop();
  });
// Like controller-runtime, a replica that lost its lease exits; its Deployment starts it again.
process.exitCode = (await operator.stopped) === 'lost-lease' ? 1 : 0;
