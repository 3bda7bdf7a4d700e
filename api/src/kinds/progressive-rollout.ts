import { Type } from '@sinclair/typebox';
import { progressiveRolloutDefaults as defaults, modelPromotionDefaults } from '../defaults.js';
import { cel, Enum, Timestamp } from '../schema.js';

/** A duration of a rollout step or check: milliseconds, seconds, minutes or hours (`500ms`, `30s`, `10m`, `2h`). */
export const stepDurationPattern = '^(0|[1-9][0-9]{0,6})(ms|s|m|h)$';

const StepDuration = (description: string, fallback: string) =>
  Type.String({ description, default: fallback, pattern: stepDurationPattern });

const Share = (description: string, fallback: number) =>
  Type.Number({ description, default: fallback, minimum: 0, maximum: 1 });

const MinRequests = (description: string, fallback: number) =>
  Type.Integer({ description, default: fallback, minimum: 0, maximum: 100_000_000 });

export const promotionStrategies = ['Direct', 'Progressive'] as const;

export const PromotionStrategy = Enum(promotionStrategies, {
  description:
    'Direct: the alias moves at once. Progressive: the candidate first gets shadow traffic, then canary weights, each step judged by the analysis in spec.progressive, and the alias moves only once every step has passed.',
  default: modelPromotionDefaults.strategy,
});

export const ProgressiveSettings = Type.Object(
  {
    shadow: Type.Object(
      {
        percent: Type.Integer({
          description:
            "Percent of the primary's requests mirrored to the candidate; 0 leaves the shadow step out.",
          default: defaults.shadowPercent,
          minimum: 0,
          maximum: 100,
        }),
        duration: StepDuration('The shadow step lasts at least this long.', defaults.shadowDuration),
        minRequests: MinRequests(
          'Fewest shadow pairs (a served prediction and its shadow) before the step may pass.',
          defaults.shadowMinRequests,
        ),
      },
      {
        description: 'The first step: the candidate predicts a copy of the traffic, answers nothing.',
        default: {},
      },
    ),
    canary: Type.Object(
      {
        weights: Type.Array(Type.Integer({ minimum: 1, maximum: 99 }), {
          description: 'The canary steps: percent of products the candidate answers, ascending.',
          default: [...defaults.canaryWeights],
          maxItems: 10,
          ...cel({
            rule: 'self.isSorted() && self.all(w, self.indexOf(w) == self.lastIndexOf(w))',
            message: 'canary.weights must be strictly ascending',
          }),
        }),
        interval: StepDuration('Each canary step lasts at least this long.', defaults.canaryInterval),
        minRequests: MinRequests(
          'Fewest requests the candidate answers in a canary step before it may pass.',
          defaults.canaryMinRequests,
        ),
      },
      { description: 'The weighted canary steps, after the shadow step.', default: {} },
    ),
    analysis: Type.Object(
      {
        minAgreement: Share(
          'Shadow step: least share of shadow pairs where the candidate predicts what the champion answered.',
          defaults.minAgreement,
        ),
        maxErrorRate: Share(
          "Canary steps: largest share of the candidate's answers that are 5xx.",
          defaults.maxErrorRate,
        ),
        maxLatencyP99: StepDuration(
          "Canary steps: largest p99 of the candidate's request duration.",
          defaults.maxLatencyP99,
        ),
        maxAccuracyDrop: Share(
          "Largest drop of the candidate's live accuracy (or calibrated estimate) below the champion's.",
          defaults.maxAccuracyDrop,
        ),
      },
      { description: 'The checks each step is judged by; a failed check aborts the rollout.', default: {} },
    ),
    faultInjection: Type.Object(
      {
        candidateDelay: StepDuration(
          'Rollout drills: the model servers delay every canary answer of the candidate by this much (at most 60s).',
          defaults.candidateDelay,
        ),
      },
      { description: 'Faults to inject, for rehearsing a rollout that must be stopped.', default: {} },
    ),
  },
  {
    description:
      'The steps of a Progressive rollout (strategy Progressive only): shadow, canary weights, then the alias moves. Every field has a default.',
  },
);

export const rolloutSteps = ['shadow', 'approval', 'canary', 'full'] as const;

const analysisChecks = [
  'agreement',
  'errorRate',
  'latencyP99',
  'liveAccuracy',
  'estimatedAccuracy',
  'sequentialTest',
] as const;

const AnalysisCheck = Type.Object({
  name: Enum(analysisChecks, { description: 'What was checked.' }),
  value: Type.Number({ description: 'The measured value.' }),
  threshold: Type.Number({ description: 'The bound it was held to.' }),
  samples: Type.Integer({ description: 'Observations it was measured on.', minimum: 0 }),
  passed: Type.Boolean({ description: 'Whether the value kept to the bound.' }),
  message: Type.String({ description: 'The check with its numbers.', maxLength: 1024 }),
});

export const RolloutStatus = Type.Object(
  {
    step: Type.Object(
      {
        name: Enum(rolloutSteps, {
          description:
            'shadow, approval (spec.approval Required, after the shadow step), canary, or full (the alias moves).',
        }),
        index: Type.Integer({ description: 'Position of the step in the rollout, from 0.', minimum: 0 }),
        shadowPercent: Type.Integer({
          description: "Percent of the primary's requests mirrored to the candidate in this step.",
          minimum: 0,
          maximum: 100,
        }),
        canaryWeight: Type.Integer({
          description: 'Percent of products the candidate answers in this step.',
          minimum: 0,
          maximum: 100,
        }),
      },
      { description: 'The step the rollout is in; written before the services act on it.' },
    ),
    stepStartedAt: Timestamp('When the step started; its duration and analysis window count from here.'),
    startedAt: Timestamp('When the rollout started.'),
    championVersion: Type.String({ description: 'Version the alias pointed at when the rollout started.' }),
    candidateVersion: Type.String({ description: 'The version rolled out (spec.version).' }),
    analysis: Type.Optional(
      Type.Object(
        {
          step: Enum(rolloutSteps, { description: 'The step analysed.' }),
          observedAt: Timestamp('When the analysis ran; its window is stepStartedAt to this.'),
          requests: Type.Integer({
            description: 'Shadow pairs (shadow step) or candidate answers (canary step) in the window.',
            minimum: 0,
          }),
          checks: Type.Array(AnalysisCheck, { description: 'Every check measured.', maxItems: 16 }),
        },
        { description: "The latest analysis of the step's window." },
      ),
    ),
  },
  { description: 'Where a Progressive rollout is (strategy Progressive only).' },
);
