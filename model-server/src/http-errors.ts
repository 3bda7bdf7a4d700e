import type { FastifyError, FastifyInstance, FastifySchemaValidationError } from 'fastify';

/** An error whose message is meant for the client, whatever its status. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

const statusNames: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  404: 'Not Found',
  405: 'Method Not Allowed',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

export const errorResponseSchema = {
  type: 'object',
  properties: {
    statusCode: { type: 'integer' },
    error: { type: 'string' },
    message: { type: 'string' },
  },
} as const;

/** `/items/3/designation` → `items[3].designation`. */
function fieldName(instancePath: string, dataVar: string): string {
  const name = instancePath
    .split('/')
    .slice(1)
    .map((segment) => (/^\d+$/.test(segment) ? `[${segment}]` : `.${segment}`))
    .join('')
    .replace(/^\./, '');
  return name || `the request ${dataVar}`;
}

function describeSchemaError(error: FastifySchemaValidationError, dataVar: string): string {
  const field = fieldName(error.instancePath, dataVar);
  const { params } = error;
  switch (error.keyword) {
    case 'required': {
      const missing = String(params.missingProperty);
      return `${error.instancePath ? `${field}.` : ''}${missing} is required`;
    }
    case 'type':
      return `${field} must be ${params.type === 'object' ? 'a JSON object' : `of type ${params.type}`}`;
    case 'minLength':
    case 'pattern':
      return `${field} must not be empty`;
    case 'maxLength':
      return `${field} is longer than ${params.limit} characters`;
    case 'minItems':
      return `${field} must hold at least ${params.limit} item`;
    case 'maxItems':
      return `${field} holds more than ${params.limit} items, the most a batch may hold`;
    case 'enum':
      return `${field} must be one of ${(params.allowedValues as unknown[]).join(', ')}`;
    case 'format':
      return `${field} must be ${params.format === 'date-time' ? 'an RFC 3339 date-time such as 2026-12-07T10:00:00Z' : `a ${params.format}`}`;
    case 'minimum':
    case 'maximum':
      return `${field} must be ${error.keyword === 'minimum' ? 'at least' : 'at most'} ${params.limit}`;
    case 'additionalProperties':
      return `${field} has an unknown field "${params.additionalProperty}"`;
    default:
      return `${field} ${error.message ?? 'is invalid'}`;
  }
}

export function schemaErrorFormatter(errors: FastifySchemaValidationError[], dataVar: string): Error {
  return new Error(errors.map((error) => describeSchemaError(error, dataVar)).join('; '));
}

/** Messages for the errors fastify itself raises while reading a request. */
function describeFastifyError(error: FastifyError): string {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return 'the request body is larger than this route accepts (see the limits in the API documentation at /docs)';
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'send the request body as JSON with the header content-type: application/json';
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return 'the request body is empty; send a JSON object';
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return 'the request body is not valid JSON';
    default:
      return error.message;
  }
}

/**
 * Every error becomes `{statusCode, error, message}`: validation and client errors with a message
 * a person can act on, server errors with a generic one (the details go to the log only).
 */
export function registerErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | HttpError, request, reply) => {
    let statusCode = error.statusCode ?? 500;
    let message: string;
    if (error instanceof HttpError) {
      message = error.message;
    } else if ('validation' in error && error.validation) {
      statusCode = 400;
      message = error.message;
    } else if (statusCode >= 400 && statusCode < 500) {
      message = describeFastifyError(error);
    } else {
      statusCode = 500;
      message = 'the server failed to answer this request; its log has the details';
      request.log.error({ err: error }, 'request failed');
    }
    if (statusCode < 500) request.log.info({ statusCode, reason: message }, 'request rejected');
    return reply.status(statusCode).send({ statusCode, error: statusNames[statusCode] ?? 'Error', message });
  });

  app.setNotFoundHandler((request, reply) => {
    const url = request.url.length > 200 ? `${request.url.slice(0, 200)}…` : request.url;
    return reply.status(404).send({
      statusCode: 404,
      error: statusNames[404],
      message: `there is no route ${request.method} ${url}`,
    });
  });
}
