import fs from 'node:fs';
import { approvalAnnotations } from '@prodclass/api';
import {
  dataIncrementType,
  driftAcknowledgementType,
  group,
  modelPromotionType,
  predictionServiceType,
  type TrainingRun,
  trainingRunType,
} from '@prodclass/api/resources';
import { listLoads } from '@prodclass/catalog/data-loads';
import { requireCurrentSchema } from '@prodclass/catalog/schema-version';
import { catalogStatus } from '@prodclass/catalog/status';
import { KubeApi, KubeApiError } from '@prodclass/kube/api';
import type { Connection } from '@prodclass/kube/connection';
import { jsonLogger, type LogLevel } from '@prodclass/kube/log';
import {
  isMissing,
  MlflowClient,
  type MlflowError,
  type RegisteredModelVersion,
} from '@prodclass/registry/mlflow/client';
import { promotionHistory } from '@prodclass/registry/promotion/promotions-table';
import { classByCode } from '@prodclass/textmodel/classes';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { connectionAs } from './acting-as.js';
import { AuthError, Authenticator, type Identity } from './auth.js';
import { ClusterView, newestFirst } from './cluster.js';
import type { ConsoleConfig } from './config.js';
import { cookieValue, csrfCookie, csrfCookieHeader, csrfField, csrfMatches, newCsrfToken } from './csrf.js';
import { CatalogReader, recentProducts } from './database.js';
import { ServedBundles } from './error-terms.js';
import { type Html, html } from './html.js';
import { versionLearnedTerms } from './learned-terms.js';
import { LiveStream } from './live.js';
import { dataPage } from './pages/data.js';
import { layout, type PageContext } from './pages/layout.js';
import { exampleProducts, type ModelsPageModel, modelsPage } from './pages/models.js';
import { monitoringPage, type TrafficState, trafficRows } from './pages/monitoring.js';
import { qualityPage } from './pages/quality.js';
import { runPage, trainingPage } from './pages/training.js';
import { predictWith, sendFeedback } from './prediction.js';
import { serviceTraffic } from './prometheus.js';
import { qualityModel } from './quality.js';
import {
  dataIncrementBody,
  driftAcknowledgementBody,
  eventsQuery,
  feedbackBody,
  modelPromotionBody,
  modelsQuery,
  nameParams,
  predictBody,
  promotionDecisionBody,
  qualityQuery,
  runArtifactParams,
  runIdParams,
  trainingRunBody,
} from './schemas.js';

export interface ConsoleOptions {
  config: ConsoleConfig;
  connection: Connection;
}

export interface Console {
  app: FastifyInstance;
  cluster: ClusterView;
}

declare module 'fastify' {
  interface FastifyRequest {
    identity: Identity;
    csrfToken: string;
    /** The live stream's position when the request arrived: the page's caches include at least that. */
    liveAfter: number;
  }
}

const contentSecurityPolicy = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

const staticFiles = {
  'console.js': { type: 'text/javascript; charset=utf-8', file: '../public/console.js' },
  'console.css': { type: 'text/css; charset=utf-8', file: '../public/console.css' },
} as const;

const requestedByAnnotation = `${group}/requested-by`;
const artifactFiles: Record<string, string> = {
  'confusion_matrix.png': 'evaluation/confusion_matrix.png',
  'class_distribution.png': 'data/class_distribution.png',
};
const trafficRefreshMs = 15_000;
/** Drift report ids are UUIDs (drift_reports.id). */
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function readStatic(): Record<string, { type: string; body: Buffer }> {
  return Object.fromEntries(
    Object.entries(staticFiles).map(([name, { type, file }]) => [
      name,
      { type, body: fs.readFileSync(new URL(file, import.meta.url)) },
    ]),
  );
}

/** The notice for `?applied=Kind/name`, only for kinds and names the console itself creates. */
function appliedNotice(query: unknown): string | undefined {
  const decided = (query as { decided?: unknown }).decided;
  const decision =
    typeof decided === 'string' ? /^(approve|reject)\/([a-z0-9][-a-z0-9.]{0,252})$/.exec(decided) : null;
  if (decision)
    return `${decision[1] === 'approve' ? 'Approved' : 'Rejected'} ModelPromotion ${decision[2]}; its status below updates live.`;
  const applied = (query as { applied?: unknown }).applied;
  if (typeof applied !== 'string') return undefined;
  const match =
    /^(DataIncrement|TrainingRun|ModelPromotion|DriftAcknowledgement)\/([a-z0-9][-a-z0-9]{0,62})$/.exec(
      applied,
    );
  if (!match) return undefined;
  // Acknowledgements are shown from drift_acknowledgements, where the operator records them.
  return match[1] === 'DriftAcknowledgement'
    ? `Applied DriftAcknowledgement ${match[2]}; the operator records it in a moment (reload to see it below).`
    : `Applied ${match[1]} ${match[2]}; its status below updates live.`;
}

/** The status and the message a person sees; server errors say only that they happened. */
function errorAnswer(error: Error & { statusCode?: number; validation?: unknown; code?: string }): {
  status: number;
  message: string;
} {
  if (error instanceof AuthError) return { status: error.statusCode, message: error.message };
  if (error.validation) return { status: 400, message: error.message };
  // The API server refused the resource (invalid, already exists, forbidden to the console): its
  // message says why.
  if (error instanceof KubeApiError && [403, 409, 422].includes(error.status))
    return { status: error.status === 422 ? 400 : error.status, message: error.message };
  const status = error.statusCode ?? 500;
  return {
    status,
    message: status >= 500 ? 'The console could not answer; the details are in its log.' : error.message,
  };
}

export async function buildConsole({ config, connection }: ConsoleOptions): Promise<Console> {
  const app = Fastify({ logger: { level: config.logLevel }, bodyLimit: 64 * 1024 });
  const catalog = new CatalogReader(config.databaseUrl, (error) =>
    app.log.warn({ err: error }, 'an idle database connection failed'),
  );
  // `prodclass db migrate` owns the schema: a console built for a newer one does not start.
  await catalog.use(requireCurrentSchema).catch(async (error) => {
    await catalog.close();
    throw error;
  });
  const kubeLog = jsonLogger((config.logLevel === 'silent' ? 'error' : config.logLevel) as LogLevel, {
    component: 'cluster-view',
  });
  const cluster = new ClusterView(connection, config.namespace, kubeLog);
  const auth = new Authenticator(cluster.api, config.auth);
  const mlflow = new MlflowClient(config.mlflowTrackingUri, { timeoutMs: 5_000, retries: 1 });
  const live = new LiveStream(cluster);
  const bundles = new ServedBundles(mlflow);
  const assets = readStatic();

  let traffic: TrafficState = { services: [], at: '', problem: 'not measured yet' };
  let trafficRefreshedAt = 0;
  const refreshTraffic = async () => {
    trafficRefreshedAt = Date.now();
    const at = new Date().toISOString();
    if (!config.prometheusUrl) traffic = { services: [], at, problem: 'PROMETHEUS_URL is not set.' };
    else
      traffic = await serviceTraffic(config.prometheusUrl, config.namespace).then(
        (services) => ({ services, at }),
        (error: Error) => ({ services: [], at, problem: `${error.message}.` }),
      );
    live.broadcast('fragment', { target: 'traffic-rows', html: trafficRows(traffic).value });
  };
  // One Prometheus query for all open pages, and only while a page is open.
  const trafficTimer = setInterval(() => {
    if (live.clients > 0) void refreshTraffic();
  }, trafficRefreshMs);
  trafficTimer.unref();

  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))),
  );
  app.decorateRequest('identity', null as unknown as Identity);
  app.decorateRequest('csrfToken', '');
  app.decorateRequest('liveAfter', 0);

  app.addHook('onRequest', async (request, reply) => {
    reply.header('content-security-policy', contentSecurityPolicy);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'same-origin');
    reply.header('x-frame-options', 'DENY');
    request.liveAfter = live.lastId;
    if (request.url === '/healthz' || request.url.startsWith('/static/')) return;
    request.identity = await auth.identify(request.headers);
    const cookie = cookieValue(request.headers.cookie, csrfCookie);
    if (request.method === 'POST') {
      request.csrfToken = cookie ?? '';
      return;
    }
    if (cookie && /^[A-Za-z0-9_-]{32}$/.test(cookie)) request.csrfToken = cookie;
    else {
      request.csrfToken = newCsrfToken();
      reply.header('set-cookie', csrfCookieHeader(request.csrfToken, config.secureCookies));
    }
  });

  // Form posts: the CSRF field must equal the cookie, and a browser-sent Origin must be this host.
  app.addHook('preHandler', async (request) => {
    if (request.method !== 'POST') return;
    const origin = request.headers.origin;
    if (origin && origin !== 'null' && new URL(origin).host !== request.headers.host)
      throw new AuthError(403, 'cross-origin form posts are refused');
    if (!csrfMatches(request.csrfToken, (request.body as Record<string, unknown> | undefined)?.[csrfField]))
      throw new AuthError(403, 'the form has expired or did not come from this console: reload the page');
  });

  const context = (request: FastifyRequest): PageContext => ({
    user: request.identity?.user,
    csrfToken: request.csrfToken,
    namespace: config.namespace,
    notice: appliedNotice(request.query),
    liveAfter: request.liveAfter,
  });
  const sendPage = (reply: FastifyReply, page: Html, status = 200) =>
    reply.code(status).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(page.value);

  app.setErrorHandler(
    async (error: Error & { statusCode?: number; validation?: unknown }, request, reply) => {
      const { status, message } = errorAnswer(error);
      if (status >= 500) request.log.error({ err: error }, 'request failed');
      else
        request.log.info({ status, reason: error.message, user: request.identity?.user }, 'request refused');
      const title = status === 403 ? 'Not allowed' : status === 401 ? 'Sign-in required' : 'Request failed';
      const page = layout(
        {
          user: request.identity?.user,
          csrfToken: request.csrfToken ?? '',
          namespace: config.namespace,
          liveAfter: live.lastId,
        },
        '',
        title,
        html`<p class="problem" role="alert">${message}</p><p><a href="/data">Back to the console</a></p>`,
      );
      return sendPage(reply, page, status);
    },
  );

  app.get('/healthz', async (_request, reply) => {
    const healthy = cluster.healthy;
    return reply.code(healthy ? 200 : 503).send({ status: healthy ? 'ok' : 'watches not synced' });
  });
  app.get<{ Params: { file: string } }>('/static/:file', async (request, reply) => {
    const asset = assets[request.params.file];
    if (!asset) return reply.code(404).type('text/plain').send('not found');
    return reply.type(asset.type).header('cache-control', 'public, max-age=300').send(asset.body);
  });
  app.get('/', async (_request, reply) => reply.redirect('/data', 302));
  app.get<{ Querystring: { after?: number } }>(
    '/events',
    { schema: { querystring: eventsQuery } },
    async (request, reply) => {
      const lastEventId = Number(request.headers['last-event-id']);
      const after =
        Number.isInteger(lastEventId) && lastEventId >= 0
          ? lastEventId
          : (request.query.after ?? live.lastId);
      reply.hijack();
      live.attach(reply.raw, after);
      if (Date.now() - trafficRefreshedAt > trafficRefreshMs) void refreshTraffic();
    },
  );

  // Pages

  app.get('/data', async (request, reply) => {
    const increments = newestFirst(cluster.dataIncrements.list());
    const model = await catalog.use(async (client) => ({
      status: await catalogStatus(client),
      loads: await listLoads(client),
      samples: await recentProducts(client, 8),
    }));
    return sendPage(
      reply,
      dataPage(context(request), { ...model, increments, lastIncrement: increments[0] }),
    );
  });

  app.get('/training', async (request, reply) =>
    sendPage(reply, trainingPage(context(request), newestFirst(cluster.trainingRuns.list()))),
  );

  app.get<{ Params: { name: string } }>(
    '/training/runs/:name',
    { schema: { params: nameParams } },
    async (request, reply) => {
      const run = cluster.trainingRuns.get(config.namespace, request.params.name);
      if (!run) return reply.callNotFound();
      let details: Awaited<ReturnType<MlflowClient['getRun']>> | undefined;
      let problem: string | undefined;
      if (run.status?.mlflowRunId)
        details = await mlflow.getRun(run.status.mlflowRunId).catch((error: MlflowError) => {
          problem = `MLflow could not be read: ${error.message}`;
          return undefined;
        });
      const mlflowUrl = details
        ? `${config.mlflowPublicUrl}/#/experiments/${details.experimentId}/runs/${details.runId}`
        : undefined;
      return sendPage(
        reply,
        runPage(context(request), { run, mlflow: details, mlflowUrl, mlflowProblem: problem }),
      );
    },
  );

  app.get<{ Params: { runId: string } }>(
    '/training/mlflow/:runId',
    { schema: { params: runIdParams } },
    async (request, reply) => {
      const run = await mlflow.getRun(request.params.runId);
      return reply.redirect(
        `${config.mlflowPublicUrl}/#/experiments/${run.experimentId}/runs/${run.runId}`,
        302,
      );
    },
  );

  app.get<{ Params: { runId: string; file: string } }>(
    '/training/artifacts/:runId/:file',
    { schema: { params: runArtifactParams } },
    async (request, reply) => {
      const artifact = artifactFiles[request.params.file];
      if (!artifact) return reply.callNotFound();
      const run = await mlflow.getRun(request.params.runId);
      const bytes = await mlflow.downloadArtifact(`${run.artifactUri}/${artifact}`);
      return reply.type('image/png').header('cache-control', 'private, max-age=3600').send(bytes);
    },
  );

  /** The page's model; `selected` picks whose learned terms it shows (by default the alias's, else the newest). */
  const modelsModel = async (selected?: number): Promise<ModelsPageModel> => {
    let versions: RegisteredModelVersion[] = [];
    let registryProblem: string | undefined;
    try {
      // Searching versions leaves their aliases out, so the console's alias is looked up by name.
      const [all, current] = await Promise.all([
        mlflow.modelVersions(config.registeredModel),
        mlflow.findModelVersionByAlias(config.registeredModel, config.alias),
      ]);
      versions = all.map((version) =>
        version.version === current?.version && !version.aliases.includes(config.alias)
          ? { ...version, aliases: [...version.aliases, config.alias] }
          : version,
      );
    } catch (error) {
      if (!isMissing(error)) registryProblem = `MLflow could not be read: ${(error as Error).message}`;
    }
    versions.sort((a, b) => Number(b.version) - Number(a.version));
    const shown =
      versions.find((version) => Number(version.version) === selected) ??
      versions.find((version) => version.aliases.includes(config.alias)) ??
      versions[0];
    const history = await catalog.use((client) =>
      promotionHistory(client, config.registeredModel, config.alias),
    );
    return {
      registeredModel: config.registeredModel,
      alias: config.alias,
      versions,
      registryProblem,
      history,
      promotions: newestFirst(cluster.modelPromotions.list()),
      services: newestFirst(cluster.predictionServices.list()),
      learnedTerms: shown ? await versionLearnedTerms(mlflow, shown) : undefined,
      feedbackEnabled: config.feedbackToken !== undefined,
    };
  };

  app.get<{ Querystring: { version?: number } }>(
    '/models',
    { schema: { querystring: modelsQuery } },
    async (request, reply) =>
      sendPage(reply, modelsPage(context(request), await modelsModel(request.query.version))),
  );

  app.post<{ Body: { service: string; designation: string; description?: string; example?: string } }>(
    '/models/predict',
    { schema: { body: predictBody } },
    async (request, reply) => {
      const { service: name, description = '' } = request.body;
      let { designation } = request.body;
      let text = description;
      const example = request.body.example ? exampleProducts[Number(request.body.example)] : undefined;
      if (example && !designation.trim()) {
        designation = example.designation;
        text = example.description;
      }
      const model = await modelsModel();
      const service = cluster.predictionServices.get(config.namespace, name);
      const prediction: NonNullable<ModelsPageModel['prediction']> = {
        service: name,
        designation,
        description: text,
      };
      if (!service) prediction.error = `There is no PredictionService ${name}.`;
      else
        await predictWith(cluster.api, service, { designation, description: text.trim() ? text : null }).then(
          (result) => {
            prediction.result = result;
          },
          (error: Error) => {
            prediction.error = `The prediction failed: ${error.message}`;
          },
        );
      return sendPage(reply, modelsPage(context(request), { ...model, prediction }));
    },
  );

  app.post<{ Body: { service: string; prediction_id: string; prdtypecode: number } }>(
    '/models/feedback',
    { schema: { body: feedbackBody } },
    async (request, reply) => {
      const { service: name, prediction_id: predictionId, prdtypecode } = request.body;
      await auth.authorize(request.identity, {
        verb: 'create',
        group,
        resource: predictionServiceType.plural,
        subresource: 'feedback',
        name,
        namespace: config.namespace,
      });
      const labeledBy = request.identity.user ? `console:${request.identity.user}` : 'console';
      const service = cluster.predictionServices.get(config.namespace, name);
      let feedback: { ok: boolean; message: string };
      if (!config.feedbackToken)
        feedback = { ok: false, message: 'Corrections are off: the console has no FEEDBACK_TOKEN.' };
      else if (!service) feedback = { ok: false, message: `There is no PredictionService ${name}.` };
      else
        feedback = await sendFeedback(cluster.api, service, config.feedbackToken, {
          predictionId,
          prdtypecode,
          labeledBy,
        }).then(
          () => ({
            ok: true,
            message: `Sent: prediction ${predictionId} is labeled ${prdtypecode} (${classByCode(prdtypecode)?.name}) by ${labeledBy}; it counts on the Quality page.`,
          }),
          (error: Error) => ({ ok: false, message: `The correction was not recorded: ${error.message}` }),
        );
      request.log.info(
        { user: request.identity.user, service: name, predictionId, prdtypecode, recorded: feedback.ok },
        'feedback sent',
      );
      return sendPage(reply, modelsPage(context(request), { ...(await modelsModel()), feedback }));
    },
  );

  app.get<{ Querystring: { days: number; version?: string } }>(
    '/quality',
    { schema: { querystring: qualityQuery } },
    async (request, reply) => {
      const model = await qualityModel(
        {
          catalog,
          mlflow,
          bundles,
          registeredModel: config.registeredModel,
          alias: config.alias,
          log: request.log,
        },
        request.query,
      );
      return sendPage(reply, qualityPage(context(request), model));
    },
  );

  app.get('/monitoring', async (request, reply) => {
    if (Date.now() - trafficRefreshedAt > trafficRefreshMs) await refreshTraffic();
    const services = newestFirst(cluster.predictionServices.list());
    const drift = cluster.driftMonitors ? newestFirst(cluster.driftMonitors.list()) : undefined;
    const reportIds = (drift ?? [])
      .flatMap((monitor) => monitor.status?.lastReport?.id ?? [])
      .filter((id) => uuid.test(id));
    const acknowledgements = new Map(
      await Promise.all(reportIds.map(async (id) => [id, await catalog.acknowledgements(id)] as const)),
    );
    return sendPage(reply, monitoringPage(context(request), services, traffic, drift, acknowledgements));
  });

  // Actions: each one is a custom resource, created once RBAC allows it for the requesting user.

  const requestedBy = (request: FastifyRequest) => ({
    [requestedByAnnotation]: request.identity.user ?? 'prodclass-console',
  });
  const authorizeCreate = (request: FastifyRequest, resource: string) =>
    auth.authorize(request.identity, { verb: 'create', group, resource, namespace: config.namespace });

  app.post('/actions/data-increment', { schema: { body: dataIncrementBody } }, async (request, reply) => {
    await authorizeCreate(request, dataIncrementType.plural);
    const last = newestFirst(cluster.dataIncrements.list())[0];
    if (!last)
      throw Object.assign(new Error('apply a first DataIncrement before loading more'), { statusCode: 409 });
    const created = await cluster.create(
      dataIncrementType,
      'load',
      { source: last.spec.source, seed: last.spec.seed, incrementPercent: 3 },
      requestedBy(request),
    );
    request.log.info(
      { user: request.identity.user, created: created.metadata.name },
      'DataIncrement applied',
    );
    return reply.redirect(`/data?applied=DataIncrement/${created.metadata.name}`, 303);
  });

  app.post<{
    Body: { dataVersion: string; maxFeatures: number; c: number; minF1: number; autoPromote: boolean };
  }>('/actions/training-run', { schema: { body: trainingRunBody } }, async (request, reply) => {
    await authorizeCreate(request, trainingRunType.plural);
    const { dataVersion, maxFeatures, c, minF1, autoPromote } = request.body;
    const created = await cluster.create<TrainingRun>(
      trainingRunType,
      'train',
      {
        dataVersion,
        registeredModel: config.registeredModel,
        hyperparameters: { maxFeatures, c },
        autoPromote: { enabled: autoPromote, minF1, alias: config.alias },
      },
      requestedBy(request),
    );
    request.log.info({ user: request.identity.user, created: created.metadata.name }, 'TrainingRun applied');
    return reply.redirect(`/training?applied=TrainingRun/${created.metadata.name}`, 303);
  });

  app.post<{ Body: { version: number; reason: string } }>(
    '/actions/model-promotion',
    { schema: { body: modelPromotionBody } },
    async (request, reply) => {
      await authorizeCreate(request, modelPromotionType.plural);
      const { version, reason } = request.body;
      const by = request.identity.user ? ` (by ${request.identity.user})` : '';
      const created = await cluster.create(
        modelPromotionType,
        `promote-v${version}`,
        { registeredModel: config.registeredModel, version, alias: config.alias, reason: `${reason}${by}` },
        requestedBy(request),
      );
      request.log.info(
        { user: request.identity.user, created: created.metadata.name },
        'ModelPromotion applied',
      );
      return reply.redirect(`/models?applied=ModelPromotion/${created.metadata.name}`, 303);
    },
  );

  // Approving is an annotation written AS the user, so that the API server's admission policy
  // checks who they are and that RBAC lets them `approve`; the console's own rights do not count.
  app.post<{ Body: { promotion: string; decision: 'approve' | 'reject' } }>(
    '/actions/promotion-decision',
    { schema: { body: promotionDecisionBody } },
    async (request, reply) => {
      const { promotion: name, decision } = request.body;
      const actingConnection = connectionAs(connection, request.identity);
      await auth.authorize(request.identity, {
        verb: 'approve',
        group,
        resource: modelPromotionType.plural,
        name,
        namespace: config.namespace,
      });
      const promotion = cluster.modelPromotions.get(config.namespace, name);
      if (promotion?.status?.phase !== 'AwaitingApproval')
        throw Object.assign(new Error(`ModelPromotion ${name} is not waiting for approval`), {
          statusCode: 409,
        });
      const annotation =
        decision === 'approve' ? approvalAnnotations.approvedBy : approvalAnnotations.rejectedBy;
      const actingApi = new KubeApi(actingConnection);
      try {
        await actingApi.mergePatch(modelPromotionType, config.namespace, name, {
          metadata: { annotations: { [annotation]: request.identity.user } },
        });
      } finally {
        actingApi.close();
      }
      request.log.info({ user: request.identity.user, promotion: name, decision }, 'ModelPromotion decided');
      return reply.redirect(`/models?decided=${decision}/${name}`, 303);
    },
  );

  app.post<{ Body: { driftMonitor: string; report: string; action: string; reason?: string } }>(
    '/actions/drift-acknowledgement',
    { schema: { body: driftAcknowledgementBody } },
    async (request, reply) => {
      await authorizeCreate(request, driftAcknowledgementType.plural);
      const { driftMonitor, report, action, reason } = request.body;
      const created = await cluster.create(
        driftAcknowledgementType,
        `ack-${action}`,
        {
          driftMonitor,
          report,
          action,
          by: request.identity.user ?? 'anonymous',
          ...(reason?.trim() ? { reason: reason.trim() } : {}),
        },
        requestedBy(request),
      );
      request.log.info(
        { user: request.identity.user, created: created.metadata.name, report },
        'DriftAcknowledgement applied',
      );
      return reply.redirect(`/monitoring?applied=DriftAcknowledgement/${created.metadata.name}`, 303);
    },
  );

  app.addHook('onClose', async () => {
    clearInterval(trafficTimer);
    live.close();
    await cluster.stop();
    await catalog.close();
  });

  await cluster.start();
  return { app, cluster };
}
