import { loadConnection } from '@prodclass/kube/connection';
import { ConfigError, loadConfig } from './config.js';
import { buildConsole } from './server.js';

async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`console: ${error.message}\n`);
    process.exitCode = 2;
    return;
  }
  const { app } = await buildConsole({ config, connection: loadConnection() });
  const stop = (signal: NodeJS.Signals) => {
    app.log.info({ signal }, 'shutting down');
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
  const address = await app.listen({ port: config.port, host: config.host });
  app.log.info(
    {
      url: address,
      namespace: config.namespace,
      auth: config.auth.mode,
      registeredModel: config.registeredModel,
    },
    'console listening',
  );
}

main().catch((error: Error) => {
  process.stderr.write(`console: ${error.message}\n`);
  process.exitCode = 1;
});
