/** Input limits, documented in docs/model-server.md and in the OpenAPI schemas. */
export const predictionLimits = {
  designationCharacters: 1_000,
  descriptionCharacters: 20_000,
  batchItems: 100,
  predictBodyBytes: 256 * 1024,
  batchBodyBytes: 4 * 1024 * 1024,
  topK: 5,
  explainTerms: 20,
} as const;

const explainSchema = {
  type: 'integer',
  minimum: 0,
  maximum: predictionLimits.explainTerms,
  default: 0,
  description: `Explain the predicted code and the runner-up with this many terms each way (0 to ${predictionLimits.explainTerms}); 0 or absent: no explanation.`,
} as const;

export const productTextSchema = {
  type: 'object',
  required: ['designation'],
  additionalProperties: false,
  properties: {
    designation: {
      type: 'string',
      minLength: 1,
      maxLength: predictionLimits.designationCharacters,
      pattern: '\\S',
      description: 'Product title; must contain a non-space character.',
    },
    description: {
      type: ['string', 'null'],
      maxLength: predictionLimits.descriptionCharacters,
      description: 'Product description, may contain HTML; null or absent when there is none.',
    },
    productid: {
      type: 'integer',
      minimum: 0,
      maximum: Number.MAX_SAFE_INTEGER,
      description:
        "The catalog's product id, when the product has one: logged with the prediction, so that a later catalog load bringing the product labels it.",
    },
  },
} as const;

export const predictBodySchema = {
  ...productTextSchema,
  properties: { ...productTextSchema.properties, explain: explainSchema },
} as const;

export const modelRefSchema = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    version: { type: 'string' },
    alias: { type: ['string', 'null'] },
  },
} as const;

const rankedClassSchema = {
  type: 'object',
  properties: {
    prdtypecode: { type: 'integer' },
    category: { type: 'string' },
    probability: { type: 'number' },
  },
} as const;

const explainedTermSchema = {
  type: 'object',
  properties: {
    term: {
      type: 'string',
      description: 'The term as the listing wrote it, or the feature when it cannot be found.',
    },
    feature: { type: 'string', description: 'The term as the model knows it (cleaned words).' },
    tfidf: { type: 'number' },
    contribution: {
      type: 'number',
      description: "The class's coefficient of the term × tfidf, in logit units.",
    },
  },
} as const;

const classExplanationSchema = {
  type: 'object',
  properties: {
    prdtypecode: { type: 'integer' },
    category: { type: 'string' },
    logit: { type: 'number', description: "intercept + every term's contribution (listed or not)." },
    intercept: { type: 'number' },
    up: { type: 'array', items: explainedTermSchema, description: 'Terms that raised the logit most.' },
    down: { type: 'array', items: explainedTermSchema, description: 'Terms that lowered it most.' },
    other_terms: {
      type: 'object',
      properties: { count: { type: 'integer' }, contribution: { type: 'number' } },
      description: "The text's terms in neither list and the sum of their contributions.",
    },
  },
} as const;

export const predictionSchema = {
  type: 'object',
  properties: {
    prdtypecode: { type: 'integer', description: 'The most probable product-type code.' },
    category: { type: 'string' },
    confidence: { type: 'number', description: 'Probability of the predicted code.' },
    top_k: {
      type: 'array',
      items: rankedClassSchema,
      description: `The ${predictionLimits.topK} most probable codes.`,
    },
    model: modelRefSchema,
    prediction_id: { type: 'string', format: 'uuid', description: 'UUIDv7, also the inference-log key.' },
    explanation: {
      type: 'array',
      items: classExplanationSchema,
      description: 'With `explain` > 0 only: the predicted code, then the runner-up.',
    },
  },
} as const;

export const predictBatchBodySchema = {
  type: 'object',
  required: ['items'],
  additionalProperties: false,
  properties: {
    items: { type: 'array', minItems: 1, maxItems: predictionLimits.batchItems, items: productTextSchema },
    explain: explainSchema,
  },
} as const;

export const predictBatchResponseSchema = {
  type: 'object',
  properties: { predictions: { type: 'array', items: predictionSchema } },
} as const;
