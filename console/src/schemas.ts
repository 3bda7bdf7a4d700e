import { productClasses } from '@prodclass/textmodel/classes';
import { qualityWindows } from './pages/quality.js';

// JSON schemas of the routes' inputs. Form fields arrive as strings; fastify's validator coerces
// them to the declared types, drops unknown fields and fills defaults.
const csrf = { _csrf: { type: 'string', maxLength: 64 } } as const;

export const nameParams = {
  type: 'object',
  required: ['name'],
  properties: { name: { type: 'string', pattern: '^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$' } },
} as const;

export const runIdParams = {
  type: 'object',
  required: ['runId'],
  properties: { runId: { type: 'string', pattern: '^[0-9a-f]{32}$' } },
} as const;

export const runArtifactParams = {
  type: 'object',
  required: ['runId', 'file'],
  properties: { ...runIdParams.properties, file: { type: 'string', maxLength: 64 } },
} as const;

export const modelsQuery = {
  type: 'object',
  properties: { version: { type: 'integer', minimum: 1 } },
} as const;

export const dataIncrementBody = {
  type: 'object',
  required: ['_csrf'],
  properties: { ...csrf },
} as const;

export const trainingRunBody = {
  type: 'object',
  required: ['_csrf', 'dataVersion', 'maxFeatures', 'c', 'minF1'],
  properties: {
    ...csrf,
    dataVersion: {
      type: 'string',
      minLength: 1,
      maxLength: 253,
      pattern: '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$',
    },
    maxFeatures: { type: 'integer', minimum: 1, maximum: 1_000_000 },
    c: { type: 'number', exclusiveMinimum: 0, maximum: 10_000 },
    minF1: { type: 'number', minimum: 0, maximum: 1 },
    autoPromote: { type: 'boolean', default: false },
  },
} as const;

export const modelPromotionBody = {
  type: 'object',
  required: ['_csrf', 'version'],
  properties: {
    ...csrf,
    version: { type: 'integer', minimum: 1 },
    reason: { type: 'string', maxLength: 200, default: 'promoted from the console' },
  },
} as const;

export const promotionDecisionBody = {
  type: 'object',
  required: ['_csrf', 'promotion', 'decision'],
  properties: {
    ...csrf,
    promotion: nameParams.properties.name,
    decision: { type: 'string', enum: ['approve', 'reject'] },
  },
} as const;

export const driftAcknowledgementBody = {
  type: 'object',
  required: ['_csrf', 'driftMonitor', 'report', 'action'],
  properties: {
    ...csrf,
    driftMonitor: {
      type: 'string',
      minLength: 1,
      maxLength: 253,
      pattern: '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$',
    },
    report: {
      type: 'string',
      pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$',
    },
    action: { type: 'string', enum: ['retrain', 'rollback', 'investigate'] },
    reason: { type: 'string', maxLength: 1024 },
  },
} as const;

export const predictBody = {
  type: 'object',
  required: ['_csrf', 'service', 'designation'],
  properties: {
    ...csrf,
    service: { type: 'string', minLength: 1, maxLength: 253 },
    example: { type: 'string', maxLength: 2 },
    designation: { type: 'string', maxLength: 1000 },
    description: { type: 'string', maxLength: 20_000 },
  },
} as const;

export const qualityQuery = {
  type: 'object',
  properties: {
    days: { type: 'integer', enum: [...qualityWindows], default: 7 },
    version: { type: 'string', pattern: '^[0-9]{1,9}$' },
  },
} as const;

export const feedbackBody = {
  type: 'object',
  required: ['_csrf', 'service', 'prediction_id', 'prdtypecode'],
  properties: {
    ...csrf,
    service: { type: 'string', minLength: 1, maxLength: 253, pattern: '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$' },
    prediction_id: {
      type: 'string',
      pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$',
    },
    prdtypecode: { type: 'integer', enum: productClasses.map((productClass) => productClass.code) },
  },
} as const;

export const eventsQuery = {
  type: 'object',
  properties: { after: { type: 'integer', minimum: 0 } },
} as const;
