import type { FastifyPluginAsync } from 'fastify';
import { errorResponseSchema, HttpError } from '../http-errors.js';
import type { InferenceLog } from '../inference-log.js';
import type { LoadedModel, ModelSlot } from '../model-slot.js';
import { modelRefSchema, predictionLimits } from '../schemas.js';

export interface ServiceRoutesOptions {
  slot: ModelSlot;
  /** With a candidate model: /health reports it (it never holds /ready back: a broken candidate must not stop the primary). */
  candidateSlot: ModelSlot | undefined;
  inferenceLog: InferenceLog | undefined;
  modelUri: string;
  serviceVersion: string;
}

type HealthStatus = 'healthy' | 'degraded' | 'unhealthy';

function modelRef(model: LoadedModel | undefined) {
  return model ? { name: model.name, version: model.version, alias: model.alias ?? null } : null;
}

const nullableString = { type: ['string', 'null'] } as const;

const healthSchema = {
  type: 'object',
  properties: {
    status: { type: 'string', enum: ['healthy', 'degraded', 'unhealthy'] },
    model: {
      type: ['object', 'null'],
      properties: { ...modelRefSchema.properties, loaded_at: { type: 'string', format: 'date-time' } },
    },
    mlflow_reachable: {
      type: ['boolean', 'null'],
      description: 'null when the model does not come from MLflow',
    },
    last_failure: {
      type: ['object', 'null'],
      properties: { at: { type: 'string', format: 'date-time' }, message: { type: 'string' } },
    },
    inference_log: {
      type: 'object',
      properties: { enabled: { type: 'boolean' }, queue_depth: { type: 'integer' } },
    },
    candidate: {
      type: ['object', 'null'],
      description: 'null without CANDIDATE_MODEL_URI',
      properties: {
        model: { type: ['object', 'null'], properties: modelRefSchema.properties },
        last_failure: {
          type: ['object', 'null'],
          properties: { at: { type: 'string', format: 'date-time' }, message: { type: 'string' } },
        },
      },
    },
  },
} as const;

const modelSchema = {
  type: 'object',
  properties: {
    ...modelRefSchema.properties,
    uri: { type: 'string', description: 'MODEL_URI the server follows' },
    location: { type: 'string', description: 'Where the loaded bundle came from' },
    run_id: nullableString,
    loaded_at: { type: 'string', format: 'date-time' },
    tags: { type: 'object', additionalProperties: { type: 'string' } },
    metrics: { type: 'object', additionalProperties: { type: 'number' } },
  },
} as const;

function candidateHealth(slot: ModelSlot) {
  const failure = slot.lastFailure;
  return {
    model: modelRef(slot.current),
    last_failure: failure ? { at: failure.at.toISOString(), message: failure.message } : null,
  };
}

/** `/`, `/health`, `/ready` and `/model`: what runs, whether it can answer, and with which model. */
export const serviceRoutes: FastifyPluginAsync<ServiceRoutesOptions> = async (app, options) => {
  const { slot, candidateSlot, inferenceLog, modelUri, serviceVersion } = options;

  app.get(
    '/',
    {
      schema: {
        summary: 'Service information',
        response: {
          200: {
            type: 'object',
            properties: {
              service: { type: 'string' },
              version: { type: 'string' },
              model: { type: ['object', 'null'], properties: modelRefSchema.properties },
              docs: { type: 'string' },
              limits: {
                type: 'object',
                properties: {
                  designation_characters: { type: 'integer' },
                  description_characters: { type: 'integer' },
                  batch_items: { type: 'integer' },
                },
              },
            },
          },
        },
      },
    },
    async () => ({
      service: 'prodclass model server',
      version: serviceVersion,
      model: modelRef(slot.current),
      docs: '/docs',
      limits: {
        designation_characters: predictionLimits.designationCharacters,
        description_characters: predictionLimits.descriptionCharacters,
        batch_items: predictionLimits.batchItems,
      },
    }),
  );

  app.get(
    '/health',
    {
      schema: {
        summary: 'Liveness with details',
        description:
          'healthy: a model serves and its last refresh worked; degraded: a model serves but MLflow or the last reload failed; unhealthy (503): no model yet.',
        response: { 200: healthSchema, 503: healthSchema },
      },
    },
    async (_request, reply) => {
      const model = slot.current;
      const failure = slot.lastFailure;
      const status: HealthStatus = !model ? 'unhealthy' : failure ? 'degraded' : 'healthy';
      return reply.status(model ? 200 : 503).send({
        status,
        model: model ? { ...modelRef(model), loaded_at: model.loadedAt.toISOString() } : null,
        mlflow_reachable: slot.registryReachable ?? null,
        last_failure: failure ? { at: failure.at.toISOString(), message: failure.message } : null,
        inference_log: { enabled: inferenceLog !== undefined, queue_depth: inferenceLog?.depth ?? 0 },
        candidate: candidateSlot ? candidateHealth(candidateSlot) : null,
      });
    },
  );

  app.get(
    '/ready',
    {
      schema: {
        summary: 'Readiness: 200 once a model is loaded',
        response: {
          200: { type: 'object', properties: { ready: { type: 'boolean' } } },
          503: errorResponseSchema,
        },
      },
    },
    async () => {
      if (!slot.current) throw new HttpError(503, 'no model is loaded yet');

      return { ready: true };
    },
  );

  app.get(
    '/model',
    {
      schema: {
        summary: "The loaded model's metadata and its training run's metrics",
        response: { 200: modelSchema, 503: errorResponseSchema },
      },
    },
    async () => {
      const model = slot.current;
      if (!model) throw new HttpError(503, 'no model is loaded yet');
      return {
        ...modelRef(model),
        uri: modelUri,
        location: model.location,
        run_id: model.runId ?? null,
        loaded_at: model.loadedAt.toISOString(),
        tags: model.tags,
        metrics: model.metrics,
      };
    },
  );
};
