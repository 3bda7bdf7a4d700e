import { expect, test } from 'vitest';
import {
  durationMs,
  InvalidSpec,
  selectorOf,
  stepDurationMs,
  validDataIncrementSpec,
  validDriftMonitorSpec,
  validModelPromotionSpec,
  validPredictionServiceSpec,
  validTrainingRunSpec,
} from './validate.js';

function refused(validate: (raw: unknown) => unknown, raw: unknown, message: RegExp): void {
  expect(() => validate(raw)).toThrow(InvalidSpec);
  expect(() => validate(raw)).toThrow(message);
}

// The whole default TrainingRun spec is checked through RetrainSchedule's template (retrain-schedule-spec.test.ts).
test('an empty TrainingRun spec trains on the latest load and promotes to production above F1 0.7', () => {
  const spec = validTrainingRunSpec({});
  expect(spec.dataVersion).toBe('latest');
  expect(spec.autoPromote).toEqual({
    enabled: true,
    minF1: 0.7,
    minComparisonRows: 200,
    maxClassDrop: 0.1,
    alias: 'production',
  });
  expect([spec.backoffLimit, spec.activeDeadlineSeconds, spec.resources]).toEqual([1, 3600, undefined]);
});

test('TrainingRun feedback is kept as given; absent, the spec has none', () => {
  const feedback = { since: '2026-12-01T00:00:00+01:00', sources: ['catalog'] };
  expect(validTrainingRunSpec({ feedback }).feedback).toEqual(feedback);
  expect(validTrainingRunSpec({})).not.toHaveProperty('feedback');
});

test("a DriftMonitor's retrain template may ask for feedback too", () => {
  const feedback = { since: '2026-12-01T00:00:00Z' };
  const monitor = validDriftMonitorSpec({ predictionService: 'svc', trainingRun: { feedback } });
  expect(monitor.trainingRunFor('m').feedback).toEqual(feedback);
  expect(() =>
    validDriftMonitorSpec({ predictionService: 'svc', trainingRun: { feedback: { since: 'now' } } }),
  ).toThrow(/spec.trainingRun.feedback.since must match/);
});

test('TrainingRun resources become strings, as containers take them', () => {
  expect(validTrainingRunSpec({ resources: { limits: { cpu: 2, memory: '4Gi' } } }).resources).toEqual({
    limits: { cpu: '2', memory: '4Gi' },
    requests: undefined,
  });
});

test.each([
  [null, /spec must be an object/],
  [{ dataVersion: 'Load_40' }, /spec.dataVersion must match/],
  [{ hyperparameters: { maxDf: 0 } }, /spec.hyperparameters.maxDf must be greater than 0/],
  [{ hyperparameters: { c: 0 } }, /spec.hyperparameters.c must be greater than 0/],
  [{ hyperparameters: { ngramMax: 4 } }, /spec.hyperparameters.ngramMax must be between 1 and 3/],
  [{ hyperparameters: { maxIter: 1.5 } }, /spec.hyperparameters.maxIter must be an integer/],
  [{ hyperparameters: { classWeight: 'auto' } }, /spec.hyperparameters.classWeight must be none or balanced/],
  [{ autoPromote: { enabled: 'yes' } }, /spec.autoPromote.enabled must be true or false/],
  [{ autoPromote: { alias: '1st' } }, /spec.autoPromote.alias must match/],
  [{ activeDeadlineSeconds: 10 }, /spec.activeDeadlineSeconds must be between 60 and 604800/],
  [{ resources: { limits: { cpu: true } } }, /spec.resources.limits.cpu must be a quantity/],
  [{ feedback: {} }, /spec.feedback.since must match/],
  [{ feedback: { since: '2026-12-01' } }, /spec.feedback.since must match/],
  [{ feedback: { since: '2026-13-01T00:00:00Z' } }, /spec.feedback.since must be a valid time/],
  [{ feedback: { since: '2026-12-01T00:00:00Z', sources: [] } }, /spec.feedback.sources must list/],
  [{ feedback: { since: '2026-12-01T00:00:00Z', sources: ['email'] } }, /spec.feedback.sources must list/],
])('TrainingRun %j is refused', (raw, message) => refused(validTrainingRunSpec, raw, message));

test('a DataIncrement takes one source and one amount; synthetic sizes default', () => {
  expect(validDataIncrementSpec({ source: { synthetic: {} }, incrementPercent: 10 })).toEqual({
    source: { synthetic: { seed: 42, rows: 84916 } },
    toPercent: undefined,
    incrementPercent: 10,
    seed: 42,
    dataVersion: undefined,
  });
  expect(
    validDataIncrementSpec({ source: { files: { url: 'https://example.org/x' } }, toPercent: 100 }).source,
  ).toEqual({ files: { path: undefined, url: 'https://example.org/x' } });
});

test('a DataIncrement names its data version as dataVersion or, deprecated, as loadName', () => {
  const spec = { source: { synthetic: {} }, toPercent: 10 };
  expect(validDataIncrementSpec({ ...spec, dataVersion: 'week_1' }).dataVersion).toBe('week_1');
  expect(validDataIncrementSpec({ ...spec, loadName: 'week_1' }).dataVersion).toBe('week_1');
});

test.each([
  [{ source: {}, toPercent: 10 }, /spec.source needs exactly one of synthetic and files/],
  [{ source: { synthetic: {}, files: { path: '/x' } }, toPercent: 10 }, /spec.source needs exactly one/],
  [{ source: { synthetic: {} } }, /spec needs exactly one of toPercent and incrementPercent/],
  [{ source: { synthetic: {} }, toPercent: 10, incrementPercent: 5 }, /spec needs exactly one of toPercent/],
  [{ source: { synthetic: {} }, toPercent: 0 }, /spec.toPercent must be greater than 0/],
  [{ source: { synthetic: {} }, incrementPercent: 101 }, /spec.incrementPercent must be between 0 and 100/],
  [{ source: { files: { path: 'relative' } }, toPercent: 10 }, /spec.source.files.path must match/],
  [{ source: { synthetic: { rows: 10 } }, toPercent: 10 }, /spec.source.synthetic.rows must be between 27/],
  [
    { source: { synthetic: {} }, toPercent: 10, dataVersion: 'a', loadName: 'a' },
    /set at most one of spec.dataVersion and its deprecated name spec.loadName/,
  ],
])('DataIncrement %j is refused', (raw, message) => refused(validDataIncrementSpec, raw, message));

test('a ModelPromotion names a version; model, alias, approval and impactPreview default', () => {
  expect(validModelPromotionSpec({ version: 3 })).toEqual({
    registeredModel: 'rakuten_classifier',
    version: 3,
    alias: 'production',
    reason: undefined,
    approval: 'NotRequired',
    impactPreview: false,
    strategy: 'Direct',
  });
  expect(validModelPromotionSpec({ version: 3, approval: 'Required' }).approval).toBe('Required');
  refused(validModelPromotionSpec, { version: 3, approval: 'Maybe' }, /spec.approval must be one of/);
  expect(validModelPromotionSpec({ version: 3, impactPreview: true }).impactPreview).toBe(true);
  refused(validModelPromotionSpec, {}, /spec.version must be an integer/);
  refused(validModelPromotionSpec, { version: 0 }, /spec.version must be between 1/);
  refused(
    validModelPromotionSpec,
    { version: 3, impactPreview: 'yes' },
    /spec.impactPreview must be true or false/,
  );
});

test('a Progressive ModelPromotion gets every step and check default; its durations and weights are checked', () => {
  expect(validModelPromotionSpec({ version: 3, strategy: 'Progressive' }).progressive).toEqual({
    shadow: { percent: 100, duration: '10m', minRequests: 1000 },
    canary: { weights: [10, 50], interval: '10m', minRequests: 500 },
    analysis: { minAgreement: 0.8, maxErrorRate: 0.01, maxLatencyP99: '500ms', maxAccuracyDrop: 0.02 },
    faultInjection: { candidateDelay: '0s' },
  });
  const given = validModelPromotionSpec({
    version: 3,
    strategy: 'Progressive',
    progressive: { shadow: { percent: 0 }, canary: { weights: [5, 25, 75], interval: '30s' } },
  }).progressive;
  expect(given?.shadow.percent).toBe(0);
  expect(given?.canary).toEqual({ weights: [5, 25, 75], interval: '30s', minRequests: 500 });
  expect(stepDurationMs('500ms', 'x')).toBe(500);
  expect(stepDurationMs('2h', 'x')).toBe(7_200_000);
  refused(validModelPromotionSpec, { version: 3, strategy: 'Canary' }, /spec.strategy must be one of/);
  refused(
    validModelPromotionSpec,
    { version: 3, progressive: {} },
    /spec.progressive needs strategy Progressive/,
  );
  for (const [progressive, message] of [
    [{ canary: { weights: [50, 10] } }, /spec.progressive.canary.weights must be strictly ascending/],
    [{ canary: { weights: [10, 100] } }, /spec.progressive.canary.weights\[1\] must be between 1 and 99/],
    [{ shadow: { duration: '10' } }, /spec.progressive.shadow.duration must match/],
    [{ analysis: { minAgreement: 1.5 } }, /spec.progressive.analysis.minAgreement must be between 0 and 1/],
    [{ faultInjection: { candidateDelay: '2m' } }, /candidateDelay must be at most 60s/],
  ] as const)
    refused(validModelPromotionSpec, { version: 3, strategy: 'Progressive', progressive }, message);
});

test('a PredictionService serves an alias or a version, with an optional canary of exactly one', () => {
  const spec = validPredictionServiceSpec({ canary: { version: 4 } });
  expect(spec).toMatchObject({ registeredModel: 'rakuten_classifier', replicas: 1 });
  expect(spec.canary).toEqual({ alias: undefined, version: 4, replicas: 1 });
  expect(selectorOf(spec)).toEqual({ alias: 'production' });
  expect(selectorOf({ alias: 'staging', version: 2 })).toEqual({ version: 2 });
  refused(
    validPredictionServiceSpec,
    { alias: 'a', version: 1 },
    /spec needs at most one of alias and version/,
  );
  refused(validPredictionServiceSpec, { canary: {} }, /spec.canary needs exactly one of alias and version/);
  refused(validPredictionServiceSpec, { replicas: 101 }, /spec.replicas must be between 0 and 100/);
});

test('PredictionService autoscaling: minReplicas defaults to 1, at most maxReplicas, with at least one target', () => {
  expect(
    validPredictionServiceSpec({ autoscaling: { maxReplicas: 4, targetRequestsPerSecond: 500 } }).autoscaling,
  ).toEqual({
    minReplicas: 1,
    maxReplicas: 4,
    targetCPUUtilization: undefined,
    targetRequestsPerSecond: 500,
  });
  refused(
    validPredictionServiceSpec,
    { autoscaling: { minReplicas: 5, maxReplicas: 4, targetCPUUtilization: 70 } },
    /spec.autoscaling.minReplicas must not exceed maxReplicas/,
  );
  refused(
    validPredictionServiceSpec,
    { autoscaling: { maxReplicas: 4 } },
    /spec.autoscaling needs targetCPUUtilization, targetRequestsPerSecond or both/,
  );
  refused(
    validPredictionServiceSpec,
    { autoscaling: { targetCPUUtilization: 70 } },
    /spec.autoscaling.maxReplicas must be an integer/,
  );
});

test('durations are minutes, hours or days', () => {
  expect(durationMs('30m', 'f')).toBe(1_800_000);
  expect(durationMs('12h', 'f')).toBe(43_200_000);
  expect(durationMs('7d', 'f')).toBe(604_800_000);
  for (const value of ['0m', '1s', '1.5h', 30, undefined])
    expect(() => durationMs(value, 'spec.window')).toThrow(/spec.window must be a duration/);
});
