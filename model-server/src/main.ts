import { formatModelUri } from '@prodclass/registry/model-uri';
import { loadBundleClassifier } from './bundle-classifier.js';
import { ConfigError, loadConfig } from './config.js';
import { buildServer } from './server.js';

/** How long a graceful shutdown may take before the process exits anyway. */
const shutdownDeadlineMs = 25_000;

async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`model-server: ${error.message}\n`);
    process.exitCode = 2;
    return;
  }
  const app = await buildServer({ config, loadClassifier: loadBundleClassifier });
  app.log.info(
    {
      modelUri: formatModelUri(config.modelUri),
      reloadIntervalSeconds: config.reloadIntervalSeconds,
      inferenceLog: config.databaseUrl !== undefined,
      inferenceLogSpool: config.inferenceLogSpoolDir ?? null,
      adminRoutes: config.adminToken !== undefined,
      feedbackRoutes: config.feedbackToken !== undefined,
    },
    'starting',
  );

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'shutting down: draining requests and the inference log');
    setTimeout(() => {
      app.log.error('shutdown took too long; exiting');
      process.exit(1);
    }, shutdownDeadlineMs).unref();
    app.close().then(
      () => app.log.info('stopped'),
      (error: Error) => {
        app.log.error({ err: error }, 'shutdown failed');
        process.exitCode = 1;
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);

  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    await app.close();
    throw error;
  }
}

main().catch((error: Error) => {
  process.stderr.write(`model-server: ${error.message}\n`);
  process.exitCode = 1;
});
