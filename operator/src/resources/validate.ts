import {
  DataIncrementSpec,
  DriftMonitorSpec,
  defaultAlias,
  defaultPromotionApproval,
  defaultRegisteredModel,
  ModelPromotionSpec,
  PredictionServiceSpec,
  ProgressiveSettings,
  promotionApprovals,
  promotionStrategies,
  RetrainScheduleSpec,
  stepDurationPattern,
  TrainingRunSpec,
} from '@prodclass/api';
import {
  type DriftFeature,
  type DriftTest,
  type DriftTestSpec,
  defaultDriftTests,
  defaultSeverityThresholds,
  type SeverityThresholds,
} from '@prodclass/catalog/drift/report';
import { InvalidCron, parseCron } from '../schedule/cron.js';
import type { DriftMonitorSettings, Hyperparameters, ModelSelector, ResourceRequirements } from './types.js';

/**
 * A spec the reconciler cannot act on. The CRD schemas (generated from @prodclass/api) reject these
 * and fill in the defaults already; this is the check at the operator's edge for objects stored
 * under an older or hand-edited CRD, reading the bounds, patterns and defaults from the same
 * schemas, and for what a schema cannot say (a cron schedule in its time zone).
 */
export class InvalidSpec extends Error {
  override name = 'InvalidSpec';
}

type Json = Record<string, unknown>;

function object(value: unknown, field: string): Json {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new InvalidSpec(`${field} must be an object`);
  return value as Json;
}

function number(value: unknown, field: string, min: number, max: number, { integer = false } = {}): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || (integer && !Number.isInteger(value)))
    throw new InvalidSpec(`${field} must be ${integer ? 'an integer' : 'a number'}`);
  if (value < min || value > max) throw new InvalidSpec(`${field} must be between ${min} and ${max}`);
  return value;
}

function text(value: unknown, field: string, pattern = /^.+$/s): string {
  if (typeof value !== 'string' || !pattern.test(value))
    throw new InvalidSpec(`${field} must match ${pattern}`);
  return value;
}

/** The keywords of a number's or a string's schema that the checks below read. */
interface FieldSchema {
  type?: unknown;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  pattern?: string;
  maxLength?: number;
}

/** A number as its schema admits it (type, bounds), the schema's default when absent. */
function schemaNumber(schema: FieldSchema, value: unknown, field: string): number {
  const integer = schema.type === 'integer';
  const largest = integer ? Number.MAX_SAFE_INTEGER : Number.MAX_VALUE;
  const checked = number(
    value ?? schema.default,
    field,
    schema.exclusiveMinimum ?? schema.minimum ?? -largest,
    schema.maximum ?? largest,
    { integer },
  );
  if (checked === schema.exclusiveMinimum)
    throw new InvalidSpec(`${field} must be greater than ${schema.exclusiveMinimum}`);
  return checked;
}

/** A string as its schema admits it (pattern, length), the schema's default when absent. */
function schemaText(schema: FieldSchema, value: unknown, field: string): string {
  const checked = text(
    value ?? schema.default,
    field,
    schema.pattern ? new RegExp(schema.pattern) : undefined,
  );
  if (schema.maxLength !== undefined && checked.length > schema.maxLength)
    throw new InvalidSpec(`${field} must have at most ${schema.maxLength} characters`);
  return checked;
}

/** Quantities may be written as numbers (`cpu: 2`); containers take strings. */
function resources(value: unknown, field: string): ResourceRequirements {
  const json = object(value, field);
  const quantities = (raw: unknown, at: string) =>
    raw === undefined
      ? undefined
      : Object.fromEntries(
          Object.entries(object(raw, at)).map(([name, quantity]) => {
            if (typeof quantity !== 'string' && typeof quantity !== 'number')
              throw new InvalidSpec(`${at}.${name} must be a quantity`);
            return [name, String(quantity)];
          }),
        );
  return {
    limits: quantities(json.limits, `${field}.limits`),
    requests: quantities(json.requests, `${field}.requests`),
  };
}

const optional = <T>(value: unknown, parse: (value: unknown) => T): T | undefined =>
  value === undefined ? undefined : parse(value);

function flag(value: unknown, field: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new InvalidSpec(`${field} must be true or false`);
  return value;
}

function exactlyOne(json: Json, fields: string[], where: string): void {
  if (fields.filter((field) => json[field] !== undefined).length !== 1)
    throw new InvalidSpec(`${where} needs exactly one of ${fields.join(' and ')}`);
}

export function validDataIncrementSpec(raw: unknown): DataIncrementSpec {
  const schema = DataIncrementSpec.properties;
  const sourceSchema = schema.source.properties;
  const spec = object(raw, 'spec');
  const source = object(spec.source, 'spec.source');
  exactlyOne(source, ['synthetic', 'files'], 'spec.source');
  exactlyOne(spec, ['toPercent', 'incrementPercent'], 'spec');
  const files = optional(source.files, (value) => {
    const json = object(value, 'spec.source.files');
    const fileSchema = sourceSchema.files.properties;
    exactlyOne(json, ['path', 'url'], 'spec.source.files');
    return {
      path: optional(json.path, (v) => schemaText(fileSchema.path, v, 'spec.source.files.path')),
      url: optional(json.url, (v) => schemaText(fileSchema.url, v, 'spec.source.files.url')),
    };
  });
  const synthetic = optional(source.synthetic, (value) => {
    const json = object(value, 'spec.source.synthetic');
    const syntheticSchema = sourceSchema.synthetic.properties;
    return {
      seed: schemaNumber(syntheticSchema.seed, json.seed, 'spec.source.synthetic.seed'),
      rows: schemaNumber(syntheticSchema.rows, json.rows, 'spec.source.synthetic.rows'),
    };
  });
  return {
    source: synthetic ? { synthetic } : { files },
    toPercent: optional(spec.toPercent, (v) => schemaNumber(schema.toPercent, v, 'spec.toPercent')),
    incrementPercent: optional(spec.incrementPercent, (v) =>
      schemaNumber(schema.incrementPercent, v, 'spec.incrementPercent'),
    ),
    seed: schemaNumber(schema.seed, spec.seed, 'spec.seed'),
    dataVersion: dataVersionOf(spec, schema),
  };
}

/** spec.dataVersion, or the deprecated spec.loadName it replaced (never both). */
function dataVersionOf(spec: Json, schema: typeof DataIncrementSpec.properties): string | undefined {
  if (spec.dataVersion !== undefined && spec.loadName !== undefined)
    throw new InvalidSpec('set at most one of spec.dataVersion and its deprecated name spec.loadName');
  if (spec.loadName !== undefined) return schemaText(schema.loadName, spec.loadName, 'spec.loadName');
  return optional(spec.dataVersion, (v) => schemaText(schema.dataVersion, v, 'spec.dataVersion'));
}

function validHyperparameters(raw: unknown): Hyperparameters {
  const schema = TrainingRunSpec.properties.hyperparameters.properties;
  const json = object(raw ?? {}, 'spec.hyperparameters');
  const field = (name: string) => `spec.hyperparameters.${name}`;
  const classWeight = json.classWeight ?? schema.classWeight.default;
  if (classWeight !== 'none' && classWeight !== 'balanced')
    throw new InvalidSpec(`${field('classWeight')} must be none or balanced`);
  const maxDf = schemaNumber(schema.maxDf, json.maxDf, field('maxDf'));
  const c = schemaNumber(schema.c, json.c, field('c'));
  return {
    maxFeatures: schemaNumber(schema.maxFeatures, json.maxFeatures, field('maxFeatures')),
    ngramMax: schemaNumber(schema.ngramMax, json.ngramMax, field('ngramMax')),
    minDf: schemaNumber(schema.minDf, json.minDf, field('minDf')),
    maxDf,
    c,
    maxIter: schemaNumber(schema.maxIter, json.maxIter, field('maxIter')),
    classWeight,
    seed: schemaNumber(schema.seed, json.seed, field('seed')),
    testSize: schemaNumber(schema.testSize, json.testSize, field('testSize')),
  };
}

type CriticalClass = NonNullable<TrainingRunSpec['autoPromote']['criticalClasses']>[number];

function criticalClasses(value: unknown): CriticalClass[] {
  const field = 'spec.autoPromote.criticalClasses';
  if (!Array.isArray(value)) throw new InvalidSpec(`${field} must be a list`);
  const schema = TrainingRunSpec.properties.autoPromote.properties.criticalClasses.items.properties;
  const codes = new Set<number>();
  return value.map((raw, index) => {
    const at = `${field}[${index}]`;
    const entry = object(raw, at);
    const code = schemaNumber(schema.code, entry.code, `${at}.code`);
    if (!(schema.code.enum as number[]).includes(code))
      throw new InvalidSpec(`${at}.code ${code} is not one of the 27 product type codes`);
    if (codes.has(code)) throw new InvalidSpec(`${at}.code ${code} is listed twice`);
    codes.add(code);
    return { code, floor: schemaNumber(schema.floor, entry.floor, `${at}.floor`) };
  });
}

const feedbackSources = ['api', 'cli', 'catalog'];
const rfc3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

function validFeedback(raw: unknown): NonNullable<TrainingRunSpec['feedback']> {
  const json = object(raw, 'spec.feedback');
  const since = text(json.since, 'spec.feedback.since', rfc3339);
  if (Number.isNaN(Date.parse(since))) throw new InvalidSpec('spec.feedback.since must be a valid time');
  const sources = optional(json.sources, (value) => {
    if (
      !Array.isArray(value) ||
      value.length < 1 ||
      value.length > feedbackSources.length ||
      !value.every((source) => feedbackSources.includes(source))
    )
      throw new InvalidSpec(`spec.feedback.sources must list some of ${feedbackSources.join(', ')}`);
    return value as NonNullable<NonNullable<TrainingRunSpec['feedback']>['sources']>;
  });
  return { since, ...(sources ? { sources } : {}) };
}

export function validTrainingRunSpec(raw: unknown): TrainingRunSpec {
  const schema = TrainingRunSpec.properties;
  const promoteSchema = schema.autoPromote.properties;
  const spec = object(raw, 'spec');
  const autoPromote = object(spec.autoPromote ?? {}, 'spec.autoPromote');
  if (autoPromote.enabled !== undefined && typeof autoPromote.enabled !== 'boolean')
    throw new InvalidSpec('spec.autoPromote.enabled must be true or false');
  return {
    dataVersion: schemaText(schema.dataVersion, spec.dataVersion, 'spec.dataVersion'),
    hyperparameters: validHyperparameters(spec.hyperparameters),
    registeredModel: schemaText(schema.registeredModel, spec.registeredModel, 'spec.registeredModel'),
    experiment: schemaText(schema.experiment, spec.experiment, 'spec.experiment'),
    autoPromote: {
      enabled: (autoPromote.enabled as boolean | undefined) ?? promoteSchema.enabled.default,
      minF1: schemaNumber(promoteSchema.minF1, autoPromote.minF1, 'spec.autoPromote.minF1'),
      minComparisonRows: schemaNumber(
        promoteSchema.minComparisonRows,
        autoPromote.minComparisonRows,
        'spec.autoPromote.minComparisonRows',
      ),
      maxClassDrop: schemaNumber(
        promoteSchema.maxClassDrop,
        autoPromote.maxClassDrop,
        'spec.autoPromote.maxClassDrop',
      ),
      criticalClasses: optional(autoPromote.criticalClasses, criticalClasses),
      alias: schemaText(promoteSchema.alias, autoPromote.alias, 'spec.autoPromote.alias'),
    },
    resources: optional(spec.resources, (v) => resources(v, 'spec.resources')),
    backoffLimit: schemaNumber(schema.backoffLimit, spec.backoffLimit, 'spec.backoffLimit'),
    activeDeadlineSeconds: schemaNumber(
      schema.activeDeadlineSeconds,
      spec.activeDeadlineSeconds,
      'spec.activeDeadlineSeconds',
    ),
    ...(spec.feedback === undefined ? {} : { feedback: validFeedback(spec.feedback) }),
  };
}

export function validModelPromotionSpec(raw: unknown): ModelPromotionSpec {
  const schema = ModelPromotionSpec.properties;
  const spec = object(raw, 'spec');
  const strategy = oneOf(spec.strategy ?? schema.strategy.default, 'spec.strategy', promotionStrategies);
  if (strategy !== 'Progressive' && spec.progressive !== undefined)
    throw new InvalidSpec('spec.progressive needs strategy Progressive');
  return {
    registeredModel: schemaText(schema.registeredModel, spec.registeredModel, 'spec.registeredModel'),
    version: schemaNumber(schema.version, spec.version, 'spec.version'),
    alias: schemaText(schema.alias, spec.alias, 'spec.alias'),
    reason: optional(spec.reason, (v) => text(v, 'spec.reason', /^.*$/s)),
    approval: oneOf(spec.approval ?? defaultPromotionApproval, 'spec.approval', promotionApprovals),
    impactPreview: flag(spec.impactPreview, 'spec.impactPreview', schema.impactPreview.default),
    strategy,
    ...(strategy === 'Progressive' ? { progressive: validProgressive(spec.progressive ?? {}) } : {}),
  };
}

type Progressive = NonNullable<ModelPromotionSpec['progressive']>;

/** spec.progressive with every default filled in (the schema's, when the API server did not). */
function validProgressive(raw: unknown): Progressive {
  const schema = ProgressiveSettings.properties;
  const json = object(raw, 'spec.progressive');
  /** One section's fields, read against its schema and named `spec.progressive.<section>.<field>`. */
  const section = (name: keyof Progressive) => {
    const at = `spec.progressive.${name}`;
    const values = object(json[name] ?? {}, at);
    const fields = schema[name].properties as Record<string, FieldSchema>;
    return {
      number: (key: string) => schemaNumber(fields[key] as FieldSchema, values[key], `${at}.${key}`),
      duration: (key: string) => {
        const value = schemaText(fields[key] as FieldSchema, values[key], `${at}.${key}`);
        stepDurationMs(value, `${at}.${key}`);
        return value;
      },
      values,
    };
  };
  const shadow = section('shadow');
  const canary = section('canary');
  const analysis = section('analysis');
  return {
    shadow: {
      percent: shadow.number('percent'),
      duration: shadow.duration('duration'),
      minRequests: shadow.number('minRequests'),
    },
    canary: {
      weights: canaryWeights(canary.values.weights ?? schema.canary.properties.weights.default),
      interval: canary.duration('interval'),
      minRequests: canary.number('minRequests'),
    },
    analysis: {
      minAgreement: analysis.number('minAgreement'),
      maxErrorRate: analysis.number('maxErrorRate'),
      maxLatencyP99: analysis.duration('maxLatencyP99'),
      maxAccuracyDrop: analysis.number('maxAccuracyDrop'),
    },
    faultInjection: { candidateDelay: candidateDelay(section('faultInjection').duration('candidateDelay')) },
  };
}

/** The model servers hold a canary answer back at most a minute (their CANDIDATE_DELAY_MS). */
function candidateDelay(value: string): string {
  if (stepDurationMs(value, 'spec.progressive.faultInjection.candidateDelay') > 60_000)
    throw new InvalidSpec('spec.progressive.faultInjection.candidateDelay must be at most 60s');
  return value;
}

function canaryWeights(value: unknown): number[] {
  const field = 'spec.progressive.canary.weights';
  if (!Array.isArray(value) || value.length > 10)
    throw new InvalidSpec(`${field} must list at most 10 weights`);
  return value.map((weight, index) => {
    const checked = number(weight, `${field}[${index}]`, 1, 99, { integer: true });
    if (index > 0 && checked <= (value[index - 1] as number))
      throw new InvalidSpec(`${field} must be strictly ascending`);
    return checked;
  });
}

const stepDurationUnits: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** A rollout step's or check's duration (`500ms`, `30s`, `10m`, `2h`), in milliseconds. */
export function stepDurationMs(value: string, field: string): number {
  const match = new RegExp(stepDurationPattern).exec(value);
  if (!match) throw new InvalidSpec(`${field} must be a duration such as 500ms, 30s, 10m or 2h`);
  return Number(match[1]) * (stepDurationUnits[match[2] as string] as number);
}

export function validPredictionServiceSpec(raw: unknown): PredictionServiceSpec {
  const schema = PredictionServiceSpec.properties;
  const canarySchema = schema.canary.properties;
  const spec = object(raw, 'spec');
  if (spec.alias !== undefined && spec.version !== undefined)
    throw new InvalidSpec('spec needs at most one of alias and version');
  const canary = optional(spec.canary, (value) => {
    const json = object(value, 'spec.canary');
    exactlyOne(json, ['alias', 'version'], 'spec.canary');
    return {
      alias: optional(json.alias, (v) => schemaText(canarySchema.alias, v, 'spec.canary.alias')),
      version: optional(json.version, (v) => schemaNumber(canarySchema.version, v, 'spec.canary.version')),
      replicas: schemaNumber(canarySchema.replicas, json.replicas, 'spec.canary.replicas'),
    };
  });
  if (canary && spec.traffic !== undefined)
    throw new InvalidSpec(
      'spec needs at most one of canary (split by ready pods) and traffic (split by weight)',
    );
  return {
    registeredModel: schemaText(schema.registeredModel, spec.registeredModel, 'spec.registeredModel'),
    alias: optional(spec.alias, (v) => schemaText(schema.alias, v, 'spec.alias')),
    version: optional(spec.version, (v) => schemaNumber(schema.version, v, 'spec.version')),
    replicas: schemaNumber(schema.replicas, spec.replicas, 'spec.replicas'),
    resources: optional(spec.resources, (v) => resources(v, 'spec.resources')),
    canary,
    liveQuality: {
      window: schemaText(
        schema.liveQuality.properties.window,
        object(spec.liveQuality ?? {}, 'spec.liveQuality').window,
        'spec.liveQuality.window',
      ),
    },
    autoscaling: optional(spec.autoscaling, (value) => {
      const json = object(value, 'spec.autoscaling');
      const at = schema.autoscaling.properties;
      const autoscaling = {
        minReplicas: schemaNumber(at.minReplicas, json.minReplicas, 'spec.autoscaling.minReplicas'),
        maxReplicas: schemaNumber(at.maxReplicas, json.maxReplicas, 'spec.autoscaling.maxReplicas'),
        targetCPUUtilization: optional(json.targetCPUUtilization, (v) =>
          schemaNumber(at.targetCPUUtilization, v, 'spec.autoscaling.targetCPUUtilization'),
        ),
        targetRequestsPerSecond: optional(json.targetRequestsPerSecond, (v) =>
          schemaNumber(at.targetRequestsPerSecond, v, 'spec.autoscaling.targetRequestsPerSecond'),
        ),
      };
      if (autoscaling.minReplicas > autoscaling.maxReplicas)
        throw new InvalidSpec('spec.autoscaling.minReplicas must not exceed maxReplicas');
      if (autoscaling.targetCPUUtilization === undefined && autoscaling.targetRequestsPerSecond === undefined)
        throw new InvalidSpec('spec.autoscaling needs targetCPUUtilization, targetRequestsPerSecond or both');
      return autoscaling;
    }),
    traffic: optional(spec.traffic, validTraffic),
  };
}

function validTraffic(value: unknown): NonNullable<PredictionServiceSpec['traffic']> {
  const schema = PredictionServiceSpec.properties.traffic.properties;
  const json = object(value, 'spec.traffic');
  const candidate = object(json.candidate, 'spec.traffic.candidate');
  exactlyOne(candidate, ['alias', 'version'], 'spec.traffic.candidate');
  const candidateSchema = schema.candidate.properties;
  const gatewaySchema = schema.gateway.properties;
  const refSchema = gatewaySchema.parentRefs.items.properties;
  return {
    candidate: {
      alias: optional(candidate.alias, (v) =>
        schemaText(candidateSchema.alias, v, 'spec.traffic.candidate.alias'),
      ),
      version: optional(candidate.version, (v) =>
        schemaNumber(candidateSchema.version, v, 'spec.traffic.candidate.version'),
      ),
    },
    canaryWeight: schemaNumber(schema.canaryWeight, json.canaryWeight, 'spec.traffic.canaryWeight'),
    shadowPercent: schemaNumber(schema.shadowPercent, json.shadowPercent, 'spec.traffic.shadowPercent'),
    gateway: optional(json.gateway, (gatewayValue) => {
      const gateway = object(gatewayValue, 'spec.traffic.gateway');
      if (!Array.isArray(gateway.parentRefs) || gateway.parentRefs.length === 0)
        throw new InvalidSpec('spec.traffic.gateway.parentRefs must list at least one Gateway');
      return {
        parentRefs: gateway.parentRefs.map((refValue: unknown, index: number) => {
          const field = `spec.traffic.gateway.parentRefs[${index}]`;
          const ref = object(refValue, field);
          return {
            name: schemaText(refSchema.name, ref.name, `${field}.name`),
            namespace: optional(ref.namespace, (v) =>
              schemaText(refSchema.namespace, v, `${field}.namespace`),
            ),
            sectionName: optional(ref.sectionName, (v) =>
              schemaText(refSchema.sectionName, v, `${field}.sectionName`),
            ),
          };
        }),
        candidateReplicas: schemaNumber(
          gatewaySchema.candidateReplicas,
          gateway.candidateReplicas,
          'spec.traffic.gateway.candidateReplicas',
        ),
      };
    }),
  };
}

/** What a track serves: the pinned version, else the alias (production when neither is set). */
export function selectorOf(track: { alias?: string; version?: number }): ModelSelector {
  return track.version !== undefined ? { version: track.version } : { alias: track.alias ?? defaultAlias };
}

const durationUnits: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/** A duration written as minutes, hours or days (`30m`, `12h`, `7d`), in milliseconds. */
export function durationMs(value: unknown, field: string): number {
  const match = /^([1-9][0-9]{0,5})(m|h|d)$/.exec(typeof value === 'string' ? value : '');
  if (!match) throw new InvalidSpec(`${field} must be a duration such as 30m, 12h or 7d`);
  return Number(match[1]) * (durationUnits[match[2] as string] as number);
}

function oneOf<T extends string>(value: unknown, field: string, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) throw new InvalidSpec(`${field} must be one of ${allowed.join(', ')}`);
  return value as T;
}

function thresholds(raw: unknown, field: string, fallback: SeverityThresholds): SeverityThresholds {
  const json = object(raw, field);
  const at = (level: keyof SeverityThresholds) =>
    number(json[level] ?? fallback[level], `${field}.${level}`, 0, Number.MAX_VALUE);
  const levels = { warning: at('warning'), alert: at('alert'), critical: at('critical') };
  if (levels.warning > levels.alert || levels.alert > levels.critical)
    throw new InvalidSpec(`${field} must satisfy warning <= alert <= critical`);
  return levels;
}

/** The tests each feature has (a numeric distribution, class counts, or token counts). */
const testsOf: Record<DriftFeature, DriftTest[]> = {
  text_length: ['psi', 'ks', 'jensen_shannon'],
  confidence: ['psi', 'ks', 'jensen_shannon'],
  predicted_class: ['psi', 'chi2'],
  tokens: ['oov_share'],
  accuracy: ['performance'],
};

function driftTestSpecs(raw: unknown): DriftTestSpec[] {
  if (raw === undefined) return defaultDriftTests;
  if (!Array.isArray(raw) || raw.length === 0) throw new InvalidSpec('spec.tests must be a non-empty list');
  return raw.map((item, index) => {
    const field = `spec.tests[${index}]`;
    const json = object(item, field);
    const feature = oneOf(json.feature, `${field}.feature`, Object.keys(testsOf) as DriftFeature[]);
    return {
      feature,
      test: oneOf(json.test, `${field}.test`, testsOf[feature]),
      ...(json.thresholds === undefined
        ? {}
        : { thresholds: thresholds(json.thresholds, `${field}.thresholds`, defaultSeverityThresholds) }),
    };
  });
}

/** A cron schedule in a time zone, as parseCron reads it. */
function validSchedule(schedule: string, timeZone: string): void {
  try {
    parseCron(schedule, timeZone);
  } catch (error) {
    if (error instanceof InvalidCron || error instanceof RangeError)
      throw new InvalidSpec(`spec.schedule: ${error.message}`);
    throw error;
  }
}

/** The TrainingRun spec a DriftMonitor's template gives for a model, its errors naming spec.trainingRun. */
function trainingRunTemplate(template: Json): (registeredModel: string) => TrainingRunSpec {
  return (registeredModel) => {
    try {
      return validTrainingRunSpec({ registeredModel, ...template });
    } catch (error) {
      if (error instanceof InvalidSpec)
        throw new InvalidSpec(error.message.replace(/^spec\./, 'spec.trainingRun.'));
      throw error;
    }
  };
}

export function validDriftMonitorSpec(raw: unknown): DriftMonitorSettings {
  const schema = DriftMonitorSpec.properties;
  const referenceSchema = schema.referenceWindow.properties;
  const spec = object(raw, 'spec');
  exactlyOne(spec, ['predictionService', 'registeredModel'], 'spec');
  const target =
    spec.predictionService !== undefined
      ? {
          predictionService: schemaText(
            schema.predictionService,
            spec.predictionService,
            'spec.predictionService',
          ),
        }
      : { registeredModel: schemaText(schema.registeredModel, spec.registeredModel, 'spec.registeredModel') };
  const modelVersion = optional(spec.modelVersion, (v) =>
    schemaText(schema.modelVersion, v, 'spec.modelVersion'),
  );
  const schedule = schemaText(schema.schedule, spec.schedule, 'spec.schedule');
  const timeZone = schemaText(schema.timeZone, spec.timeZone, 'spec.timeZone');
  validSchedule(schedule, timeZone);
  const reference = object(spec.referenceWindow ?? {}, 'spec.referenceWindow');
  const source = oneOf(
    reference.source ?? referenceSchema.source.default,
    'spec.referenceWindow.source',
    referenceSchema.source.enum as ('Preceding' | 'TrainingData')[],
  );
  if (source === 'TrainingData' && !('predictionService' in target) && modelVersion === undefined)
    throw new InvalidSpec('a TrainingData reference needs a predictionService or a modelVersion');
  const onDrift = oneOf(
    spec.onDrift ?? schema.onDrift.default,
    'spec.onDrift',
    schema.onDrift.enum as ('none' | 'retrain')[],
  );
  const trainingRunFor = trainingRunTemplate(object(spec.trainingRun ?? {}, 'spec.trainingRun'));
  trainingRunFor(defaultRegisteredModel);
  return {
    target,
    modelVersion,
    schedule,
    timeZone,
    currentWindowMs: durationMs(spec.currentWindow ?? schema.currentWindow.default, 'spec.currentWindow'),
    referenceWindow:
      source === 'TrainingData'
        ? { source }
        : {
            source,
            lengthMs: durationMs(
              reference.length ?? referenceSchema.length.default,
              'spec.referenceWindow.length',
            ),
          },
    tests: driftTestSpecs(spec.tests),
    thresholds: thresholds(spec.thresholds ?? {}, 'spec.thresholds', defaultSeverityThresholds),
    minSamples: schemaNumber(schema.minSamples, spec.minSamples, 'spec.minSamples'),
    minLabels: schemaNumber(schema.minLabels, spec.minLabels, 'spec.minLabels'),
    onDrift,
    cooldownMs: durationMs(spec.cooldown ?? schema.cooldown.default, 'spec.cooldown'),
    trainingRunFor,
  };
}

/** Reads a nested template with a validator written for a whole spec, naming the template's fields. */
function template<T>(raw: unknown, field: string, parse: (spec: Json) => T): T {
  try {
    return parse(object(raw ?? {}, field));
  } catch (error) {
    if (error instanceof InvalidSpec) throw new InvalidSpec(error.message.replace(/\bspec\b/g, field));
    throw error;
  }
}

export function validRetrainScheduleSpec(raw: unknown): RetrainScheduleSpec {
  const schema = RetrainScheduleSpec.properties;
  const spec = object(raw, 'spec');
  const schedule = schemaText(schema.schedule, spec.schedule, 'spec.schedule');
  const timeZone = schemaText(schema.timeZone, spec.timeZone, 'spec.timeZone');
  try {
    parseCron(schedule, timeZone);
  } catch (error) {
    if (error instanceof InvalidCron) throw new InvalidSpec(`spec.schedule: ${error.message}`);
    throw error;
  }
  if (spec.suspend !== undefined && typeof spec.suspend !== 'boolean')
    throw new InvalidSpec('spec.suspend must be true or false');
  const concurrencyPolicy = spec.concurrencyPolicy ?? schema.concurrencyPolicy.default;
  if (concurrencyPolicy !== 'Forbid' && concurrencyPolicy !== 'Replace')
    throw new InvalidSpec('spec.concurrencyPolicy must be Forbid or Replace');
  const dataIncrement = template(spec.dataIncrement, 'spec.dataIncrement', (json) => {
    if (json.incrementPercent === undefined) throw new InvalidSpec('spec.incrementPercent is required');
    const { source, seed, incrementPercent } = validDataIncrementSpec({
      source: json.source,
      seed: json.seed,
      incrementPercent: json.incrementPercent,
    });
    return { source, seed, incrementPercent: incrementPercent as number };
  });
  const { dataVersion: _, ...trainingRun } = template(spec.trainingRun, 'spec.trainingRun', (json) =>
    validTrainingRunSpec({ ...json, dataVersion: undefined }),
  );
  return {
    schedule,
    timeZone,
    suspend: (spec.suspend as boolean | undefined) ?? schema.suspend.default,
    concurrencyPolicy,
    startingDeadlineSeconds: optional(spec.startingDeadlineSeconds, (v) =>
      schemaNumber(schema.startingDeadlineSeconds, v, 'spec.startingDeadlineSeconds'),
    ),
    successfulHistoryLimit: schemaNumber(
      schema.successfulHistoryLimit,
      spec.successfulHistoryLimit,
      'spec.successfulHistoryLimit',
    ),
    failedHistoryLimit: schemaNumber(
      schema.failedHistoryLimit,
      spec.failedHistoryLimit,
      'spec.failedHistoryLimit',
    ),
    dataIncrement,
    trainingRun,
  };
}
