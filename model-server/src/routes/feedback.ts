import { productClasses } from '@prodclass/textmodel/classes';
import type { FastifyPluginAsync } from 'fastify';
import { bearerTokenCheck } from '../bearer-token.js';
import { type FeedbackLog, LabelsRejected, type SubmittedLabel } from '../feedback-log.js';
import { errorResponseSchema, HttpError } from '../http-errors.js';

export interface FeedbackRoutesOptions {
  feedbackLog: FeedbackLog;
  feedbackToken: string;
}

/** Documented in docs/model-server.md and in the OpenAPI schemas. */
export const feedbackLimits = {
  batchItems: 1_000,
  feedbackBodyBytes: 16 * 1024,
  batchBodyBytes: 1024 * 1024,
  labeledByCharacters: 200,
} as const;

const labelSchema = {
  type: 'object',
  required: ['prdtypecode'],
  additionalProperties: false,
  description: 'A label names either prediction_id or productid.',
  properties: {
    prediction_id: {
      type: 'string',
      format: 'uuid',
      description: 'The prediction_id a /predict answer carried.',
    },
    productid: {
      type: 'integer',
      minimum: 0,
      maximum: Number.MAX_SAFE_INTEGER,
      description: 'Labels every logged prediction whose request carried this productid.',
    },
    prdtypecode: {
      type: 'integer',
      enum: productClasses.map((productClass) => productClass.code).sort((a, b) => a - b),
      description: 'The true product-type code.',
    },
    labeled_at: {
      type: 'string',
      format: 'date-time',
      description: 'When the label was made (RFC 3339); when the server writes it if absent.',
    },
    labeled_by: {
      type: 'string',
      minLength: 1,
      maxLength: feedbackLimits.labeledByCharacters,
      pattern: '\\S',
      description: 'Who labeled (a person, a moderation queue, a seller action); "api" if absent.',
    },
  },
} as const;

interface LabelBody {
  prediction_id?: string;
  productid?: number;
  prdtypecode: number;
  labeled_at?: string;
  labeled_by?: string;
}

const labeledSchema = {
  type: 'object',
  properties: {
    labeled: { type: 'integer', description: 'Predictions these labels were written for.' },
  },
} as const;

const errorResponses = {
  400: errorResponseSchema,
  401: errorResponseSchema,
  413: errorResponseSchema,
  422: errorResponseSchema,
  503: errorResponseSchema,
};

/** What the schema cannot say: exactly one target, and no label from the future. */
function toSubmitted(body: LabelBody, position: number, field: string, now: number): SubmittedLabel {
  const where = field ? `${field}: ` : '';
  if ((body.prediction_id === undefined) === (body.productid === undefined))
    throw new HttpError(400, `${where}a label names either prediction_id or productid, not both or neither`);
  let labeledAt: Date | undefined;
  if (body.labeled_at !== undefined) {
    labeledAt = new Date(body.labeled_at);
    if (labeledAt.getTime() > now) throw new HttpError(400, `${where}labeled_at is in the future`);
  }
  return {
    position,
    target:
      body.prediction_id !== undefined
        ? { predictionId: body.prediction_id }
        : { productid: body.productid as number },
    prdtypecode: body.prdtypecode,
    ...(labeledAt ? { labeledAt } : {}),
    labeledBy: body.labeled_by ?? 'api',
  };
}

/** Feedback routes; registered only when FEEDBACK_TOKEN and DATABASE_URL are set, so they are 404 otherwise. */
export const feedbackRoutes: FastifyPluginAsync<FeedbackRoutesOptions> = async (app, options) => {
  const { feedbackLog } = options;
  app.addHook('onRequest', bearerTokenCheck(options.feedbackToken, 'FEEDBACK_TOKEN'));

  async function write(labels: SubmittedLabel[], itemName: (position: number) => string) {
    try {
      return { labeled: await feedbackLog.submit(labels) };
    } catch (error) {
      if (!(error instanceof LabelsRejected)) throw error;
      const shown = error.problems
        .slice(0, 5)
        .map((problem) => `${itemName(problem.position)}${problem.reason}`);
      const more = error.problems.length > 5 ? `; and ${error.problems.length - 5} more` : '';
      throw new HttpError(422, `nothing of this request was written: ${shown.join('; ')}${more}`);
    }
  }

  app.post<{ Body: LabelBody }>(
    '/feedback',
    {
      bodyLimit: feedbackLimits.feedbackBodyBytes,
      schema: {
        summary: 'Record the true product-type code of a served prediction',
        description:
          'A later label for the same prediction replaces the earlier one, which is kept in history.',
        security: [{ feedbackToken: [] }],
        body: labelSchema,
        response: { 200: labeledSchema, ...errorResponses },
      },
    },
    async (request) => write([toSubmitted(request.body, 0, '', Date.now())], () => ''),
  );

  app.post<{ Body: { items: LabelBody[] } }>(
    '/feedback/batch',
    {
      bodyLimit: feedbackLimits.batchBodyBytes,
      schema: {
        summary: `Record up to ${feedbackLimits.batchItems} labels at once, all or nothing`,
        security: [{ feedbackToken: [] }],
        body: {
          type: 'object',
          required: ['items'],
          additionalProperties: false,
          properties: {
            items: { type: 'array', minItems: 1, maxItems: feedbackLimits.batchItems, items: labelSchema },
          },
        },
        response: { 200: labeledSchema, ...errorResponses },
      },
    },
    async (request) => {
      const now = Date.now();
      const labels = request.body.items.map((item, index) =>
        toSubmitted(item, index, `items[${index}]`, now),
      );
      return write(labels, (position) => `items[${position}]: `);
    },
  );
};
