/** Input limits, documented in docs/model-server.md and in the OpenAPI schemas. */
export const predictionLimits = {
  designationCharacters: 1_000,
  descriptionCharacters: 20_000,
  batchItems: 100,
  predictBodyBytes: 256 * 1024,
  batchBodyBytes: 4 * 1024 * 1024,
  topK: 5,
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
  },
} as const;

export const predictBatchBodySchema = {
  type: 'object',
  required: ['items'],
  additionalProperties: false,
  properties: {
    items: { type: 'array', minItems: 1, maxItems: predictionLimits.batchItems, items: productTextSchema },
  },
} as const;

export const predictBatchResponseSchema = {
  type: 'object',
  properties: { predictions: { type: 'array', items: predictionSchema } },
} as const;
