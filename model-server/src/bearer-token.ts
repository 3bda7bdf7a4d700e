import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { HttpError } from './http-errors.js';

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/**
 * An onRequest check of the header `authorization: Bearer <token>`; `setting` names the variable
 * the token comes from, for the 401's message. Comparing digests keeps the comparison
 * constant-time whatever the presented token's length.
 */
export function bearerTokenCheck(token: string, setting: string) {
  const expected = digest(token);
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const presented = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    if (presented === undefined || !timingSafeEqual(digest(presented), expected)) {
      reply.header('www-authenticate', 'Bearer');
      throw new HttpError(401, `this route needs the header authorization: Bearer <${setting}>`);
    }
  };
}
