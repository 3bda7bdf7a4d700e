import {
  type DriftFeature,
  type DriftTest,
  type DriftTestSpec,
  defaultDriftTests,
  defaultSeverityThresholds,
  type SeverityThresholds,
} from '@prodclass/catalog/drift/report';
import { trainDefaults } from '@prodclass/registry/contract/train-command';
import { InvalidCron, parseCron } from '../schedule/cron.js';
import type {
  DataIncrementSpec,
  DriftMonitorSpec,
  Hyperparameters,
  ModelPromotionSpec,
  ModelSelector,
  PredictionServiceSpec,
  ResourceRequirements,
  RetrainScheduleSpec,
  TrainingRunSpec,
} from './types.js';

/**
 * A spec the reconciler cannot act on. The CRD schemas reject these already; this is the check at
 * the operator's edge for objects stored under an older or hand-edited CRD.
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

function exactlyOne(json: Json, fields: string[], where: string): void {
  if (fields.filter((field) => json[field] !== undefined).length !== 1)
    throw new InvalidSpec(`${where} needs exactly one of ${fields.join(' and ')}`);
}

const modelName = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const aliasName = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const percent = (value: unknown, field: string) => {
  const p = number(value, field, 0, 100);
  if (p === 0) throw new InvalidSpec(`${field} must be greater than 0`);
  return p;
};

export function validDataIncrementSpec(raw: unknown): DataIncrementSpec {
  const spec = object(raw, 'spec');
  const source = object(spec.source, 'spec.source');
  exactlyOne(source, ['synthetic', 'files'], 'spec.source');
  exactlyOne(spec, ['toPercent', 'incrementPercent'], 'spec');
  const files = optional(source.files, (value) => {
    const json = object(value, 'spec.source.files');
    exactlyOne(json, ['path', 'url'], 'spec.source.files');
    return {
      path: optional(json.path, (v) => text(v, 'spec.source.files.path', /^\//)),
      url: optional(json.url, (v) => text(v, 'spec.source.files.url', /^https?:\/\//)),
    };
  });
  const synthetic = optional(source.synthetic, (value) => {
    const json = object(value, 'spec.source.synthetic');
    return {
      seed: number(json.seed ?? 42, 'spec.source.synthetic.seed', 0, 2 ** 32 - 1, { integer: true }),
      rows: number(json.rows ?? 84916, 'spec.source.synthetic.rows', 27, 10_000_000, { integer: true }),
    };
  });
  return {
    source: synthetic ? { synthetic } : { files },
    toPercent: optional(spec.toPercent, (v) => percent(v, 'spec.toPercent')),
    incrementPercent: optional(spec.incrementPercent, (v) => percent(v, 'spec.incrementPercent')),
    seed: number(spec.seed ?? 42, 'spec.seed', 0, 2 ** 32 - 1, { integer: true }),
    loadName: optional(spec.loadName, (v) => text(v, 'spec.loadName', /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/)),
  };
}

function validHyperparameters(raw: unknown): Hyperparameters {
  const json = object(raw ?? {}, 'spec.hyperparameters');
  const field = (name: string) => `spec.hyperparameters.${name}`;
  const maxDf = number(json.maxDf ?? 0.95, field('maxDf'), 0, 1);
  if (maxDf === 0) throw new InvalidSpec(`${field('maxDf')} must be greater than 0`);
  const c = number(json.c ?? 1, field('c'), 0, 1_000_000);
  if (c === 0) throw new InvalidSpec(`${field('c')} must be greater than 0`);
  const classWeight = json.classWeight ?? 'none';
  if (classWeight !== 'none' && classWeight !== 'balanced')
    throw new InvalidSpec(`${field('classWeight')} must be none or balanced`);
  return {
    maxFeatures: number(json.maxFeatures ?? 5000, field('maxFeatures'), 1, 1_000_000, { integer: true }),
    ngramMax: number(json.ngramMax ?? 2, field('ngramMax'), 1, 3, { integer: true }),
    minDf: number(json.minDf ?? 2, field('minDf'), 1, 1000, { integer: true }),
    maxDf,
    c,
    maxIter: number(json.maxIter ?? 1000, field('maxIter'), 1, 100_000, { integer: true }),
    classWeight,
    seed: number(json.seed ?? 42, field('seed'), 0, 2 ** 32 - 1, { integer: true }),
    testSize: number(json.testSize ?? 0.2, field('testSize'), 0.05, 0.5),
  };
}

export function validTrainingRunSpec(raw: unknown): TrainingRunSpec {
  const spec = object(raw, 'spec');
  const autoPromote = object(spec.autoPromote ?? {}, 'spec.autoPromote');
  if (autoPromote.enabled !== undefined && typeof autoPromote.enabled !== 'boolean')
    throw new InvalidSpec('spec.autoPromote.enabled must be true or false');
  return {
    dataVersion: text(spec.dataVersion ?? 'latest', 'spec.dataVersion', /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/),
    hyperparameters: validHyperparameters(spec.hyperparameters),
    registeredModel: text(spec.registeredModel ?? 'rakuten_classifier', 'spec.registeredModel', modelName),
    experiment: text(spec.experiment ?? 'rakuten_model_training', 'spec.experiment'),
    autoPromote: {
      enabled: (autoPromote.enabled as boolean | undefined) ?? true,
      minF1: number(autoPromote.minF1 ?? 0.7, 'spec.autoPromote.minF1', 0, 1),
      minComparisonRows: number(
        autoPromote.minComparisonRows ?? trainDefaults.minComparisonRows,
        'spec.autoPromote.minComparisonRows',
        1,
        10_000_000,
        { integer: true },
      ),
      alias: text(autoPromote.alias ?? 'production', 'spec.autoPromote.alias', aliasName),
    },
    resources: optional(spec.resources, (v) => resources(v, 'spec.resources')),
    backoffLimit: number(spec.backoffLimit ?? 1, 'spec.backoffLimit', 0, 10, { integer: true }),
    activeDeadlineSeconds: number(
      spec.activeDeadlineSeconds ?? 3600,
      'spec.activeDeadlineSeconds',
      60,
      604_800,
      {
        integer: true,
      },
    ),
  };
}

export function validModelPromotionSpec(raw: unknown): ModelPromotionSpec {
  const spec = object(raw, 'spec');
  return {
    registeredModel: text(spec.registeredModel ?? 'rakuten_classifier', 'spec.registeredModel', modelName),
    version: number(spec.version, 'spec.version', 1, Number.MAX_SAFE_INTEGER, { integer: true }),
    alias: text(spec.alias ?? 'production', 'spec.alias', aliasName),
    reason: optional(spec.reason, (v) => text(v, 'spec.reason', /^.*$/s)),
  };
}

export function validPredictionServiceSpec(raw: unknown): PredictionServiceSpec {
  const spec = object(raw, 'spec');
  if (spec.alias !== undefined && spec.version !== undefined)
    throw new InvalidSpec('spec needs at most one of alias and version');
  const canary = optional(spec.canary, (value) => {
    const json = object(value, 'spec.canary');
    exactlyOne(json, ['alias', 'version'], 'spec.canary');
    return {
      alias: optional(json.alias, (v) => text(v, 'spec.canary.alias', aliasName)),
      version: optional(json.version, (v) => number(v, 'spec.canary.version', 1, Number.MAX_SAFE_INTEGER)),
      replicas: number(json.replicas ?? 1, 'spec.canary.replicas', 1, 100, { integer: true }),
    };
  });
  return {
    registeredModel: text(spec.registeredModel ?? 'rakuten_classifier', 'spec.registeredModel', modelName),
    alias: optional(spec.alias, (v) => text(v, 'spec.alias', aliasName)),
    version: optional(spec.version, (v) =>
      number(v, 'spec.version', 1, Number.MAX_SAFE_INTEGER, { integer: true }),
    ),
    replicas: number(spec.replicas ?? 1, 'spec.replicas', 0, 100, { integer: true }),
    resources: optional(spec.resources, (v) => resources(v, 'spec.resources')),
    canary,
  };
}

/** What a track serves: the pinned version, else the alias (production when neither is set). */
export function selectorOf(track: { alias?: string; version?: number }): ModelSelector {
  return track.version !== undefined ? { version: track.version } : { alias: track.alias ?? 'production' };
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

export function validDriftMonitorSpec(raw: unknown): DriftMonitorSpec {
  const spec = object(raw, 'spec');
  exactlyOne(spec, ['predictionService', 'registeredModel'], 'spec');
  const target =
    spec.predictionService !== undefined
      ? {
          predictionService: text(
            spec.predictionService,
            'spec.predictionService',
            /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/,
          ),
        }
      : { registeredModel: text(spec.registeredModel, 'spec.registeredModel', modelName) };
  const modelVersion = optional(spec.modelVersion, (v) => text(v, 'spec.modelVersion', /^[1-9][0-9]*$/));
  const schedule = text(spec.schedule ?? '0 6 * * *', 'spec.schedule');
  const timeZone = text(spec.timeZone ?? 'UTC', 'spec.timeZone');
  validSchedule(schedule, timeZone);
  const reference = object(spec.referenceWindow ?? {}, 'spec.referenceWindow');
  const source = oneOf(reference.source ?? 'Preceding', 'spec.referenceWindow.source', [
    'Preceding',
    'TrainingData',
  ] as const);
  if (source === 'TrainingData' && !('predictionService' in target) && modelVersion === undefined)
    throw new InvalidSpec('a TrainingData reference needs a predictionService or a modelVersion');
  const onDrift = oneOf(spec.onDrift ?? 'none', 'spec.onDrift', ['none', 'retrain'] as const);
  const trainingRunFor = trainingRunTemplate(object(spec.trainingRun ?? {}, 'spec.trainingRun'));
  trainingRunFor('rakuten_classifier');
  return {
    target,
    modelVersion,
    schedule,
    timeZone,
    currentWindowMs: durationMs(spec.currentWindow ?? '7d', 'spec.currentWindow'),
    referenceWindow:
      source === 'TrainingData'
        ? { source }
        : { source, lengthMs: durationMs(reference.length ?? '30d', 'spec.referenceWindow.length') },
    tests: driftTestSpecs(spec.tests),
    thresholds: thresholds(spec.thresholds ?? {}, 'spec.thresholds', defaultSeverityThresholds),
    minSamples: number(spec.minSamples ?? 500, 'spec.minSamples', 1, 100_000_000, { integer: true }),
    onDrift,
    cooldownMs: durationMs(spec.cooldown ?? '24h', 'spec.cooldown'),
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
  const spec = object(raw, 'spec');
  const schedule = text(spec.schedule, 'spec.schedule');
  const timeZone = text(spec.timeZone ?? 'UTC', 'spec.timeZone');
  try {
    parseCron(schedule, timeZone);
  } catch (error) {
    if (error instanceof InvalidCron) throw new InvalidSpec(`spec.schedule: ${error.message}`);
    throw error;
  }
  if (spec.suspend !== undefined && typeof spec.suspend !== 'boolean')
    throw new InvalidSpec('spec.suspend must be true or false');
  const concurrencyPolicy = spec.concurrencyPolicy ?? 'Forbid';
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
  const limit = (value: unknown, field: string, fallback: number) =>
    number(value ?? fallback, field, 0, 100, { integer: true });
  return {
    schedule,
    timeZone,
    suspend: (spec.suspend as boolean | undefined) ?? false,
    concurrencyPolicy,
    startingDeadlineSeconds: optional(spec.startingDeadlineSeconds, (v) =>
      number(v, 'spec.startingDeadlineSeconds', 1, Number.MAX_SAFE_INTEGER, { integer: true }),
    ),
    successfulHistoryLimit: limit(spec.successfulHistoryLimit, 'spec.successfulHistoryLimit', 3),
    failedHistoryLimit: limit(spec.failedHistoryLimit, 'spec.failedHistoryLimit', 1),
    dataIncrement,
    trainingRun,
  };
}
