import fs from 'node:fs';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { formatModelUri } from '@prodclass/registry/model-uri';
import Fastify, { type FastifyInstance, LogController } from 'fastify';
import pg from 'pg';
import { decorateAnsweringTrack } from './answering-track.js';
import type { ClassifierLoader } from './classifier.js';
import type { ServerConfig, TrafficConfig } from './config.js';
import { FeedbackLog } from './feedback-log.js';
import { registerErrorHandlers, schemaErrorFormatter } from './http-errors.js';
import { InferenceLog } from './inference-log.js';
import { DatabaseUnreachableError, schemaCheck } from './inference-log-schema.js';
import { InferenceLogSpool } from './inference-log-spool.js';
import { registerStrictJsonParser } from './json-body-parser.js';
import { createServerMetrics, type ServerMetrics } from './metrics.js';
import { ModelSlot } from './model-slot.js';
import { createModelSource } from './model-source.js';
import { adminRoutes } from './routes/admin.js';
import { feedbackRoutes } from './routes/feedback.js';
import { metricsRoutes } from './routes/metrics.js';
import { type CandidateRouting, predictRoutes } from './routes/predict.js';
import { serviceRoutes } from './routes/service.js';
import { ShadowMirror } from './shadow-mirror.js';
import { ShadowThread } from './shadow-thread.js';

export interface ServerOptions {
  config: ServerConfig;
  loadClassifier: ClassifierLoader;
}

const serviceVersion: string = JSON.parse(
  fs.readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
).version;

/**
 * Checks that the database's schema is current and starts the batch writer; with a feedback token,
 * the label writer too. With a spool, a PostgreSQL that cannot be reached at start does not stop the
 * server (a pod restarting during an outage still serves): rows are spooled, and written only once
 * the check has passed.
 */
async function openInferenceLog(
  app: FastifyInstance,
  config: ServerConfig & { databaseUrl: string },
  metrics: ServerMetrics,
): Promise<{ inferenceLog: InferenceLog; feedbackLog: FeedbackLog | undefined }> {
  const { databaseUrl } = config;
  const checkSchema = schemaCheck(databaseUrl);
  let schemaChecked: (() => Promise<void>) | undefined;
  try {
    await checkSchema();
  } catch (error) {
    if (!(error instanceof DatabaseUnreachableError) || config.inferenceLogSpoolDir === undefined)
      throw error;
    app.log.warn(
      { err: error },
      'PostgreSQL is unreachable at start: serving, with the inference log spooled until its schema is checked',
    );
    schemaChecked = checkSchema;
  }
  const spool =
    config.inferenceLogSpoolDir === undefined
      ? undefined
      : await InferenceLogSpool.open(config.inferenceLogSpoolDir, config.inferenceLogSpoolBytes);
  if (spool && !spool.empty) {
    app.log.info(
      { rows: spool.lines, bytes: spool.bytes },
      'the inference-log spool holds rows; writing them first',
    );
  }
  // With a spool, a connection attempt to a host that does not answer gives up before the queue
  // fills up (5 s of it at 2,000 predictions a second), and the rows go to the spool; without one
  // the writer waits as long as the system does, rather than drop rows it may yet write.
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: 2,
    query_timeout: 30_000,
    ...(spool ? { connectionTimeoutMillis: 3_000 } : {}),
  });
  pool.on('error', (error) => app.log.warn({ err: error }, 'an idle inference-log connection failed'));
  const inferenceLog = new InferenceLog(
    pool,
    {
      written: (rows) => metrics.inferenceLogWritten.inc(rows),
      dropped: (rows, reason) => metrics.inferenceLogDropped.inc({ reason }, rows),
      writeFailed: (error) =>
        app.log.error(
          { err: error },
          spool
            ? 'writing to the inference log failed; rows are spooled until PostgreSQL takes them'
            : 'writing to the inference log failed',
        ),
      spooled: (rows) => metrics.inferenceLogSpooled.inc(rows),
      spoolWritten: () => app.log.info('the inference-log spool is written; rows go to PostgreSQL directly'),
    },
    spool,
    schemaChecked,
  );
  app.addHook('onReady', async () => inferenceLog.start());
  let feedbackLog: FeedbackLog | undefined;
  let feedbackPool: pg.Pool | undefined;
  if (config.feedbackToken) {
    feedbackPool = new pg.Pool({ connectionString: databaseUrl, max: 1, query_timeout: 30_000 });
    feedbackPool.on('error', (error) => app.log.warn({ err: error }, 'an idle feedback connection failed'));
    feedbackLog = new FeedbackLog(feedbackPool, inferenceLog, {
      written: (labels) => metrics.feedbackLabelsWritten.inc(labels),
      writeFailed: (error) => app.log.error({ err: error }, 'writing labels failed'),
    });
  }
  // onClose runs once in-flight requests have been answered, so every prediction is queued by then.
  app.addHook('onClose', async () => {
    await feedbackLog?.close();
    await inferenceLog.close();
    await Promise.all([pool.end(), feedbackPool?.end()]);
  });
  return { inferenceLog, feedbackLog };
}

function createModelSlot(app: FastifyInstance, options: ServerOptions, metrics: ServerMetrics): ModelSlot {
  const { config } = options;
  const slot = new ModelSlot(
    createModelSource(config.modelUri, config.mlflowTrackingUri, config.modelAlias),
    options.loadClassifier,
    {
      loaded(model, previous) {
        metrics.modelReloads.inc({ result: 'success' });
        metrics.modelInfo.reset();
        metrics.modelInfo.set({ name: model.name, version: model.version, alias: model.alias ?? '' }, 1);
        metrics.modelLoadedTime.set(model.loadedAt.getTime() / 1000);
        app.log.info(
          {
            model: model.name,
            version: model.version,
            location: model.location,
            previousVersion: previous?.version,
          },
          'model loaded',
        );
      },
      loadFailed(error) {
        metrics.modelReloads.inc({ result: 'failure' });
        const serving = slot.current;
        app.log.error(
          { err: error, servingVersion: serving?.version },
          serving
            ? 'model reload failed; the previous model keeps serving'
            : 'model load failed; no model serves yet',
        );
      },
    },
  );
  app.addHook('onReady', async () => {
    // Not awaited: the server listens (and /health answers) while the first model loads; /ready waits for it.
    slot.refresh().catch(() => undefined);
    slot.startPolling(config.reloadIntervalSeconds * 1000);
  });
  app.addHook('onClose', async () => slot.stopPolling());
  return slot;
}

/** The candidate's slot, polled like the primary's, and the queue that mirrors requests to it. */
function createCandidate(
  app: FastifyInstance,
  options: ServerOptions,
  traffic: TrafficConfig,
  metrics: ServerMetrics,
  inferenceLog: InferenceLog | undefined,
): CandidateRouting {
  const { config } = options;
  const shadowThread =
    traffic.shadowPercent > 0
      ? new ShadowThread(
          { databaseUrl: inferenceLog ? config.databaseUrl : undefined },
          {
            written: (rows) => metrics.inferenceLogWritten.inc(rows),
            dropped: (rows, reason) => metrics.inferenceLogDropped.inc({ reason }, rows),
            writeFailed: (message) =>
              app.log.error({ err: { message } }, 'writing shadow rows to the inference log failed'),
          },
        )
      : undefined;
  const slot: ModelSlot = new ModelSlot(
    createModelSource(traffic.candidateUri, config.mlflowTrackingUri, traffic.candidateAlias),
    shadowThread ? shadowThread.recordingLoader(options.loadClassifier) : options.loadClassifier,
    {
      loaded(model) {
        metrics.candidateModelInfo.reset();
        metrics.candidateModelInfo.set(
          { name: model.name, version: model.version, alias: model.alias ?? '' },
          1,
        );
        app.log.info(
          { model: model.name, version: model.version, location: model.location },
          'candidate model loaded',
        );
      },
      loadFailed(error) {
        app.log.error({ err: error, servingVersion: slot.current?.version }, 'candidate model load failed');
      },
    },
  );
  app.addHook('onReady', async () => {
    slot.refresh().catch(() => undefined);
    slot.startPolling(config.reloadIntervalSeconds * 1000);
  });
  app.addHook('onClose', async () => slot.stopPolling());
  const mirror =
    shadowThread &&
    new ShadowMirror(slot, shadowThread, traffic.shadowQueueCapacity, {
      predicted(modelVersion, count, agreeing) {
        if (agreeing > 0)
          metrics.shadowPredictions.inc({ model_version: modelVersion, agrees: 'true' }, agreeing);
        if (count > agreeing) {
          metrics.shadowPredictions.inc({ model_version: modelVersion, agrees: 'false' }, count - agreeing);
        }
      },
      dropped: (count, reason) => metrics.shadowDropped.inc({ reason }, count),
      failed: (error) => app.log.error({ err: error }, 'a shadow prediction failed'),
    });
  for (const route of ['/predict', '/predict/batch']) {
    // At 0 from the start, so that a rate over the candidate's server errors counts the first one.
    metrics.httpErrors.inc({ route, status_code: 500, track: 'candidate' }, 0);
  }
  return {
    slot,
    canaryWeight: traffic.canaryWeight,
    shadowPercent: traffic.shadowPercent,
    mirror,
    delayMs: traffic.candidateDelayMs,
  };
}

/** The model server: routes, model loading and polling, inference log and metrics, from one configuration. */
export async function buildServer(options: ServerOptions): Promise<FastifyInstance> {
  const { config } = options;
  const app = Fastify({
    logger: { level: config.logLevel },
    // One log line per request would dominate the log at thousands of predictions a second;
    // rejected and failed requests are logged by the error handler.
    logController: new LogController({ disableRequestLogging: true }),
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false } },
    schemaErrorFormatter,
  });
  let inferenceLog: InferenceLog | undefined;
  let feedbackLog: FeedbackLog | undefined;
  let candidate: CandidateRouting | undefined;
  const metrics = createServerMetrics({
    inferenceLogDepth: () => inferenceLog?.depth ?? 0,
    inferenceLogSpool: () => ({
      rows: inferenceLog?.spooledRows ?? 0,
      bytes: inferenceLog?.spooledBytes ?? 0,
    }),
    shadowQueueDepth: () => candidate?.mirror?.depth ?? 0,
  });
  const slot = createModelSlot(app, options, metrics);
  if (config.databaseUrl) {
    ({ inferenceLog, feedbackLog } = await openInferenceLog(
      app,
      { ...config, databaseUrl: config.databaseUrl },
      metrics,
    ));
  }
  if (config.traffic) {
    candidate = createCandidate(app, options, config.traffic, metrics, inferenceLog);
    const { mirror } = candidate;
    // Registered after the inference log's onClose hook, so it runs first (fastify runs onClose
    // hooks in reverse): what is still queued for the candidate is predicted and logged too.
    if (mirror) app.addHook('onClose', async () => mirror.drain());
  }

  registerStrictJsonParser(app);
  registerErrorHandlers(app);
  decorateAnsweringTrack(app);
  app.addHook('onResponse', (request, reply, done) => {
    if (reply.statusCode >= 400) {
      metrics.httpErrors.inc({
        route: request.routeOptions.url ?? 'unmatched',
        status_code: reply.statusCode,
        track: request.track,
      });
    }
    done();
  });

  await app.register(swagger, {
    openapi: {
      info: { title: 'prodclass model server', version: serviceVersion },
      components: {
        securitySchemes: {
          adminToken: { type: 'http', scheme: 'bearer' },
          feedbackToken: { type: 'http', scheme: 'bearer' },
        },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  await app.register(serviceRoutes, {
    slot,
    candidateSlot: candidate?.slot,
    inferenceLog,
    modelUri: formatModelUri(config.modelUri),
    serviceVersion,
  });
  await app.register(predictRoutes, { slot, inferenceLog, metrics, candidate });
  await app.register(metricsRoutes, { registry: metrics.registry });
  if (config.adminToken) await app.register(adminRoutes, { slot, adminToken: config.adminToken });
  if (config.feedbackToken && feedbackLog) {
    await app.register(feedbackRoutes, { feedbackLog, feedbackToken: config.feedbackToken });
  }
  return app;
}
