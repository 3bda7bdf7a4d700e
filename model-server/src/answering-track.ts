import type { FastifyInstance } from 'fastify';

/**
 * Which model answered a request, as the request metrics label it (`track`): the candidate when it
 * answered, or was about to answer, any of the request's products (a mixed batch waited for it),
 * else the primary, which includes requests rejected before any model saw them.
 */
export type AnsweringTrack = 'primary' | 'candidate';

declare module 'fastify' {
  interface FastifyRequest {
    track: AnsweringTrack;
  }
}

export function decorateAnsweringTrack(app: FastifyInstance): void {
  app.decorateRequest('track', 'primary');
}
