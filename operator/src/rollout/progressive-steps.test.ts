import { expect, test } from 'vitest';
import { validModelPromotionSpec } from '../resources/validate.js';
import type { AnalysisCheck, StepAnalysis } from './analysis.js';
import {
  judgeStep,
  type ProgressiveSettings,
  rolloutSteps,
  stepNeeds,
  thresholdsOf,
} from './progressive-steps.js';

const settings = (progressive: object = {}): ProgressiveSettings =>
  validModelPromotionSpec({ version: 2, strategy: 'Progressive', progressive })
    .progressive as ProgressiveSettings;

const check = (name: AnalysisCheck['name'], passed: boolean): AnalysisCheck => ({
  name,
  value: passed ? 0.9 : 0.41,
  threshold: 0.8,
  samples: 2310,
  passed,
  message: passed ? `${name} fine` : 'agreement 0.41 < 0.80 over 2,310 shadow requests',
});

const analysis = (requests: number, checks: AnalysisCheck[]): StepAnalysis => ({
  requests,
  checks,
  failed: checks.find((c) => !c.passed),
});

test('the default rollout is shadow 100%, canary 10% and 50%, then full with the last traffic kept', () => {
  expect(rolloutSteps(settings(), false)).toEqual([
    { name: 'shadow', index: 0, shadowPercent: 100, canaryWeight: 0 },
    { name: 'canary', index: 1, shadowPercent: 0, canaryWeight: 10 },
    { name: 'canary', index: 2, shadowPercent: 0, canaryWeight: 50 },
    { name: 'full', index: 3, shadowPercent: 0, canaryWeight: 50 },
  ]);
});

test('approval comes after the shadow step and keeps its traffic; shadow 0 leaves the step out', () => {
  expect(
    rolloutSteps(settings({ canary: { weights: [25] } }), true).map((s) => [
      s.name,
      s.shadowPercent,
      s.canaryWeight,
    ]),
  ).toEqual([
    ['shadow', 100, 0],
    ['approval', 100, 0],
    ['canary', 0, 25],
    ['full', 0, 25],
  ]);
  expect(
    rolloutSteps(settings({ shadow: { percent: 0 }, canary: { weights: [] } }), true).map((s) => s.name),
  ).toEqual(['approval', 'full']);
});

test('thresholds go to the analysis with the latency in seconds; a step needs its duration and requests', () => {
  const given = settings({
    analysis: { maxLatencyP99: '250ms' },
    shadow: { duration: '30s', minRequests: 40 },
  });
  expect(thresholdsOf(given)).toEqual({
    minAgreement: 0.8,
    maxErrorRate: 0.01,
    maxLatencyP99Seconds: 0.25,
    maxAccuracyDrop: 0.02,
  });
  expect(stepNeeds(given, 'shadow')).toEqual({ durationMs: 30_000, minRequests: 40 });
  expect(stepNeeds(given, 'canary')).toEqual({ durationMs: 600_000, minRequests: 500 });
});

const needs = { durationMs: 10_000, minRequests: 100 };

test('a step fails on a failed check once it has its requests, never before', () => {
  const bad = analysis(2310, [check('agreement', false)]);
  expect(judgeStep('shadow', needs, 2_000, bad)).toEqual({ verdict: 'failed', check: bad.checks[0] });
  expect(judgeStep('shadow', needs, 2_000, analysis(40, [check('agreement', false)]))).toMatchObject({
    verdict: 'waiting',
    reason: 'WaitingForRequests',
    message: '40 of 100 shadow requests',
  });
});

test('a step waits for its duration, then for the checks it exists for, then passes', () => {
  const good = analysis(150, [check('agreement', true)]);
  expect(judgeStep('shadow', needs, 4_000, good)).toEqual({
    verdict: 'waiting',
    reason: 'WaitingForDuration',
    message: '6s of 10s left',
    requeueAfterMs: 5_000,
  });
  expect(judgeStep('shadow', needs, 8_500, good)).toMatchObject({ requeueAfterMs: 1_500 });
  expect(judgeStep('shadow', needs, 10_000, good)).toEqual({ verdict: 'passed' });
  expect(judgeStep('canary', needs, 10_000, analysis(150, [check('errorRate', true)]))).toMatchObject({
    verdict: 'waiting',
    reason: 'WaitingForChecks',
    message: 'latencyP99 not measured',
  });
  const unmeasured = {
    ...check('latencyP99', false),
    message: 'p99 not measurable: no candidate answers in Prometheus yet',
  };
  expect(
    judgeStep('canary', needs, 12_000, {
      requests: 150,
      checks: [check('errorRate', true), unmeasured],
      failed: undefined,
    }),
  ).toMatchObject({ verdict: 'waiting', reason: 'WaitingForChecks', message: unmeasured.message });
  expect(
    judgeStep('canary', needs, 12_000, analysis(150, [check('errorRate', true), check('latencyP99', true)])),
  ).toEqual({ verdict: 'passed' });
});
