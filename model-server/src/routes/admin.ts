import type { FastifyPluginAsync } from 'fastify';
import { bearerTokenCheck } from '../bearer-token.js';
import { errorResponseSchema, HttpError } from '../http-errors.js';
import type { ModelSlot } from '../model-slot.js';
import { modelRefSchema } from '../schemas.js';

export interface AdminRoutesOptions {
  slot: ModelSlot;
  adminToken: string;
}

/** Admin routes; registered only when ADMIN_TOKEN is set, so they are 404 otherwise. */
export const adminRoutes: FastifyPluginAsync<AdminRoutesOptions> = async (app, { slot, adminToken }) => {
  app.addHook('onRequest', bearerTokenCheck(adminToken, 'ADMIN_TOKEN'));

  app.post(
    '/admin/reload',
    {
      schema: {
        summary: 'Load the model MODEL_URI names now, even if its version is unchanged',
        security: [{ adminToken: [] }],
        response: {
          200: {
            type: 'object',
            properties: { outcome: { type: 'string' }, model: modelRefSchema },
          },
          401: errorResponseSchema,
          502: errorResponseSchema,
        },
      },
    },
    async () => {
      try {
        const { outcome, model } = await slot.refresh({ force: true });
        return { outcome, model: { name: model.name, version: model.version, alias: model.alias ?? null } };
      } catch (error) {
        const serving = slot.current;
        const still = serving
          ? `still serving ${serving.name} version ${serving.version}`
          : 'no model serves';
        throw new HttpError(502, `the reload failed (${still}): ${(error as Error).message}`);
      }
    },
  );
};
