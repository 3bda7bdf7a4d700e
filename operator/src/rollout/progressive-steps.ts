import type { ModelPromotionSpec, ModelPromotionStatus } from '../resources/types.js';
import { stepDurationMs } from '../resources/validate.js';
import type { AnalysisCheck, AnalysisThresholds, StepAnalysis } from './analysis.js';

export type ProgressiveSettings = NonNullable<ModelPromotionSpec['progressive']>;
export type RolloutStatus = NonNullable<ModelPromotionStatus['rollout']>;
export type RolloutStep = RolloutStatus['step'];

/** How often a running step is analysed again (and its waiting condition refreshed). */
export const analysisIntervalMs = 5_000;

/**
 * The steps of a rollout, in order: shadow (unless its percent is 0), approval (when required),
 * one canary step per weight, then full, where the alias moves. Approval and full keep the traffic
 * of the step before, so that nothing changes in the serving pods until the alias has moved.
 */
export function rolloutSteps(settings: ProgressiveSettings, approvalRequired: boolean): RolloutStep[] {
  const steps: Omit<RolloutStep, 'index'>[] = [];
  const shadowPercent = settings.shadow.percent;
  if (shadowPercent > 0) steps.push({ name: 'shadow', shadowPercent, canaryWeight: 0 });
  if (approvalRequired)
    steps.push({ name: 'approval', shadowPercent: steps.at(-1)?.shadowPercent ?? 0, canaryWeight: 0 });
  for (const canaryWeight of settings.canary.weights)
    steps.push({ name: 'canary', shadowPercent: 0, canaryWeight });
  const last = steps.at(-1);
  steps.push({
    name: 'full',
    shadowPercent: last?.shadowPercent ?? 0,
    canaryWeight: last?.canaryWeight ?? 0,
  });
  return steps.map((step, index) => ({ ...step, index }));
}

/** How a step is described in conditions and events: `shadow 100%`, `canary 10%`. */
export function describeStep(step: RolloutStep): string {
  if (step.name === 'shadow') return `shadow ${step.shadowPercent}%`;
  if (step.name === 'canary') return `canary ${step.canaryWeight}%`;
  return step.name;
}

/** The analysis thresholds of the settings, as the analysis module takes them. */
export function thresholdsOf(settings: ProgressiveSettings): AnalysisThresholds {
  const { analysis } = settings;
  return {
    minAgreement: analysis.minAgreement,
    maxErrorRate: analysis.maxErrorRate,
    maxLatencyP99Seconds:
      stepDurationMs(analysis.maxLatencyP99, 'spec.progressive.analysis.maxLatencyP99') / 1000,
    maxAccuracyDrop: analysis.maxAccuracyDrop,
  };
}

/** The checks a step cannot pass without (measured and passed): what it exists to judge. */
const requiredChecks: Record<'shadow' | 'canary', AnalysisCheck['name'][]> = {
  shadow: ['agreement'],
  canary: ['errorRate', 'latencyP99'],
};

/** What a step needs before it may pass: how long it lasts and how many requests it sees. */
export function stepNeeds(
  settings: ProgressiveSettings,
  step: 'shadow' | 'canary',
): { durationMs: number; minRequests: number } {
  return step === 'shadow'
    ? {
        durationMs: stepDurationMs(settings.shadow.duration, 'spec.progressive.shadow.duration'),
        minRequests: settings.shadow.minRequests,
      }
    : {
        durationMs: stepDurationMs(settings.canary.interval, 'spec.progressive.canary.interval'),
        minRequests: settings.canary.minRequests,
      };
}

export type StepVerdict =
  | { verdict: 'failed'; check: AnalysisCheck }
  | { verdict: 'waiting'; reason: string; message: string; requeueAfterMs: number }
  | { verdict: 'passed' };

const seconds = (ms: number) => `${Math.ceil(ms / 1000)}s`;
const requestsOf = (step: 'shadow' | 'canary') =>
  step === 'shadow' ? 'shadow requests' : 'candidate answers';

/**
 * Judges a shadow or canary step from its analysis: failed by the first failing check once the step
 * has its minimum of requests (fewer are not judged); passed once it has lasted its duration, has
 * its requests and every check it exists for was measured and passed (the analysis lists a check it
 * could not measure as not passed, never as failed); otherwise waiting, with why and when to look again.
 */
export function judgeStep(
  step: 'shadow' | 'canary',
  needs: { durationMs: number; minRequests: number },
  elapsedMs: number,
  analysis: StepAnalysis,
): StepVerdict {
  const enoughRequests = analysis.requests >= needs.minRequests;
  if (enoughRequests && analysis.failed) return { verdict: 'failed', check: analysis.failed };
  const remainingMs = needs.durationMs - elapsedMs;
  const requeueAfterMs = Math.max(
    1_000,
    Math.min(analysisIntervalMs, remainingMs > 0 ? remainingMs : analysisIntervalMs),
  );
  if (!enoughRequests)
    return {
      verdict: 'waiting',
      reason: 'WaitingForRequests',
      message: `${analysis.requests} of ${needs.minRequests} ${requestsOf(step)}`,
      requeueAfterMs,
    };
  if (remainingMs > 0)
    return {
      verdict: 'waiting',
      reason: 'WaitingForDuration',
      message: `${seconds(remainingMs)} of ${seconds(needs.durationMs)} left`,
      requeueAfterMs,
    };
  // With no failed check, a required check that has not passed was not measurable (its message says why).
  const unmeasured = requiredChecks[step].map((name) => {
    const check = analysis.checks.find((candidate) => candidate.name === name);
    return check?.passed ? undefined : (check?.message ?? `${name} not measured`);
  });
  const waitingFor = unmeasured.filter((message) => message !== undefined);
  if (waitingFor.length > 0)
    return { verdict: 'waiting', reason: 'WaitingForChecks', message: waitingFor.join('; '), requeueAfterMs };
  return { verdict: 'passed' };
}
