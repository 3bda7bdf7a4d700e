import {
  type DriftSeverity,
  defaultDriftTests,
  defaultSeverityThresholds,
} from '@prodclass/catalog/drift/report';
import { type Static, Type } from '@sinclair/typebox';
import type { KindDefinition } from '../crd.js';
import { driftMonitorDefaults as defaults } from '../defaults.js';
import {
  Conditions,
  cel,
  durationPattern,
  Enum,
  modelNamePattern,
  ObservedGeneration,
  objectName,
  RegisteredModel,
  Timestamp,
} from '../schema.js';
import { TrainingRunSpec, trainingFields } from './training-run.js';

const orderedThresholds = cel({
  rule: 'self.warning <= self.alert && self.alert <= self.critical',
  message: 'thresholds must satisfy warning <= alert <= critical',
});

const Duration = (description: string, fallback: string) =>
  Type.String({ description, default: fallback, pattern: durationPattern });

export const DriftTestSpec = Type.Object(
  {
    feature: Enum(['text_length', 'predicted_class', 'confidence', 'tokens', 'accuracy'], {
      description: 'What is compared.',
    }),
    test: Enum(['psi', 'ks', 'jensen_shannon', 'chi2', 'oov_share', 'performance'], {
      description: 'The statistic.',
    }),
    thresholds: Type.Optional(
      Type.Object(
        {
          warning: Type.Number({ minimum: 0, description: 'Score from which the test is WARNING.' }),
          alert: Type.Number({ minimum: 0, description: 'Score from which the test is ALERT.' }),
          critical: Type.Number({ minimum: 0, description: 'Score from which the test is CRITICAL.' }),
        },
        {
          description: "This test's own severity thresholds (default spec.thresholds).",
          ...orderedThresholds,
        },
      ),
    ),
  },
  cel({
    rule: "self.feature == 'predicted_class' ? self.test in ['psi', 'chi2'] : self.feature == 'tokens' ? self.test == 'oov_share' : self.feature == 'accuracy' ? self.test == 'performance' : self.test in ['psi', 'ks', 'jensen_shannon']",
    message:
      'text_length and confidence take psi, ks or jensen_shannon; predicted_class psi or chi2; tokens oov_share; accuracy performance',
  }),
);

export const DriftMonitorSpec = Type.Object(
  {
    predictionService: Type.Optional(
      Type.String({
        description:
          "PredictionService in this namespace to watch: its registered model's predictions are compared, and its served version gives the TrainingData reference.",
        minLength: 1,
        maxLength: 253,
        pattern: objectName,
      }),
    ),
    registeredModel: Type.Optional(
      Type.String({
        description: 'Registered model to watch, whichever service answered the predictions.',
        minLength: 1,
        maxLength: 256,
        pattern: modelNamePattern,
      }),
    ),
    modelVersion: Type.Optional(
      Type.String({
        description:
          'Version whose training data is the reference when referenceWindow.source is TrainingData, and whose live accuracy the performance test judges (default: the version the predictionService serves).',
        pattern: '^[1-9][0-9]*$',
      }),
    ),
    schedule: Type.String({
      description:
        'When to check, in cron syntax (minute hour day-of-month month day-of-week). A monitor is also checked when it is created and when its spec changes; checks missed while the operator was down are made up once, not once per missed time.',
      default: defaults.schedule,
      minLength: 1,
      maxLength: 128,
    }),
    timeZone: Type.String({
      description: 'IANA time zone the schedule is read in.',
      default: defaults.timeZone,
      minLength: 1,
      maxLength: 64,
    }),
    currentWindow: Duration(
      'Length of the window of recent predictions checked, ending at the check (m, h or d).',
      defaults.currentWindow,
    ),
    referenceWindow: Type.Object(
      {
        source: Enum(['Preceding', 'TrainingData'], {
          description:
            'Preceding: the predictions of the window of `length` just before the current one. TrainingData: the catalog rows the reference version was trained on.',
          default: defaults.referenceSource,
        }),
        length: Duration('Length of the Preceding window (m, h or d).', defaults.referenceLength),
      },
      { description: 'What the current window is compared with.', default: {} },
    ),
    tests: Type.Array(DriftTestSpec, {
      description:
        'The tests to run (default: PSI, KS and Jensen-Shannon on text length; chi-squared and PSI on the predicted class; PSI and KS on confidence; the out-of-vocabulary share of tokens). The performance test (feature accuracy, test performance) is added by listing it.',
      default: defaultDriftTests,
      minItems: 1,
      maxItems: 32,
    }),
    thresholds: Type.Object(
      {
        warning: Type.Number({
          description: 'Score from which a test is WARNING.',
          default: defaultSeverityThresholds.warning,
          minimum: 0,
        }),
        alert: Type.Number({
          description: 'Score from which a test is ALERT.',
          default: defaultSeverityThresholds.alert,
          minimum: 0,
        }),
        critical: Type.Number({
          description: 'Score from which a test is CRITICAL.',
          default: defaultSeverityThresholds.critical,
          minimum: 0,
        }),
      },
      {
        description: 'Severity thresholds of the tests that have none of their own.',
        default: defaultSeverityThresholds,
        ...orderedThresholds,
      },
    ),
    minSamples: Type.Integer({
      description:
        'Fewest predictions each window needs; with fewer the check reports InsufficientData instead of a severity.',
      default: defaults.minSamples,
      minimum: 1,
      maximum: 100000000,
    }),
    minLabels: Type.Integer({
      description:
        'Fewest labeled predictions of the served version in the current window the performance test needs; with fewer it reports insufficient labels (severity OK).',
      default: defaults.minLabels,
      minimum: 1,
      maximum: 100000000,
    }),
    onDrift: Enum(['none', 'retrain'], {
      description:
        'What an ALERT or CRITICAL check does besides reporting it. retrain creates a TrainingRun.',
      default: defaults.onDrift,
    }),
    cooldown: Duration(
      'Shortest time between two TrainingRuns this monitor creates (m, h or d).',
      defaults.cooldown,
    ),
    trainingRun: Type.Object(
      {
        dataVersion: TrainingRunSpec.properties.dataVersion,
        ...trainingFields,
        feedback: TrainingRunSpec.properties.feedback,
        registeredModel: Type.Optional(
          RegisteredModel({
            description:
              'MLflow registered model that receives the new version; defaults to the monitored model.',
          }),
        ),
      },
      {
        description:
          'Spec of the TrainingRuns onDrift retrain creates (the TrainingRun spec; registeredModel defaults to the monitored model).',
        default: {},
      },
    ),
  },
  {
    description: 'What to watch, when, against which reference, and what to do about drift.',
    ...cel(
      {
        rule: 'has(self.predictionService) != has(self.registeredModel)',
        message: 'set exactly one of predictionService and registeredModel',
      },
      {
        rule: "self.referenceWindow.source != 'TrainingData' || has(self.predictionService) || has(self.modelVersion)",
        message: 'a TrainingData reference needs a predictionService or a modelVersion',
      },
    ),
  },
);
/** The spec as stored, defaults filled in (durations as text); the operator reads it into its settings. */
export type DriftMonitorSpec = Static<typeof DriftMonitorSpec>;

const Severity = Enum(['OK', 'WARNING', 'ALERT', 'CRITICAL'], {
  description: "Worst severity of the latest check's tests (OK when there was too little data).",
});

export const DriftTestSummary = Type.Object({
  feature: Type.String({ description: 'What was compared.' }),
  test: Type.String({ description: 'The statistic.' }),
  /** Absent when the statistic is not a finite number. */
  statistic: Type.Optional(Type.Number({ description: 'Its value.' })),
  pValue: Type.Optional(Type.Number({ description: 'Its p-value, where the test defines one.' })),
  // Not an enum in the CRD: the operator writes what the drift check graded.
  severity: Type.Unsafe<DriftSeverity>({ type: 'string', description: 'Its severity.' }),
  performance: Type.Optional(
    Type.Object(
      {
        modelVersion: Type.String({ description: 'The served version whose predictions were judged.' }),
        labeled: Type.Integer({ description: 'Its labeled predictions in the current window.' }),
        minLabels: Type.Integer({ description: 'spec.minLabels.' }),
        liveAccuracy: Type.Optional(Type.Number({ description: 'Their accuracy.' })),
        estimatedAccuracy: Type.Optional(
          Type.Number({
            description:
              'Mean calibrated confidence of its served predictions in the window (absent for a version trained before calibration).',
          }),
        ),
        testAccuracy: Type.Number({ description: "The version's accuracy on its held-out test set." }),
        insufficientLabels: Type.Boolean({
          description:
            'True when labeled < minLabels: the live accuracy is not graded; the estimate is, when there is one, else the test is not graded (severity OK).',
        }),
        judgedOn: Type.Optional(
          Enum(['labels', 'estimate'], {
            description: 'What the statistic compared with testAccuracy: liveAccuracy or estimatedAccuracy.',
          }),
        ),
      },
      {
        description:
          'For the performance test: the statistic is testAccuracy − liveAccuracy, the accuracy lost in production (testAccuracy − estimatedAccuracy when there are fewer than minLabels labels).',
      },
    ),
  ),
  unknownWords: Type.Optional(
    Type.Array(
      Type.Object({
        word: Type.String({ description: 'A word of the current window the reference window never used.' }),
        count: Type.Integer({ description: 'Its occurrences in the current window.' }),
      }),
      {
        maxItems: 20,
        description:
          'For the out-of-vocabulary share above OK: the most frequent words of the current window that the reference window never used.',
      },
    ),
  ),
});
export type DriftTestSummary = Static<typeof DriftTestSummary>;

export const DriftMonitorStatus = Type.Object(
  {
    modelName: Type.Optional(Type.String({ description: 'Registered model the latest check compared.' })),
    referenceVersion: Type.Optional(
      Type.String({
        description: 'Model version whose training data was the reference, for a TrainingData reference.',
      }),
    ),
    severity: Type.Optional(Severity),
    lastCheckTime: Type.Optional(Timestamp('When the latest check ran.')),
    nextCheckTime: Type.Optional(Timestamp('When the schedule next checks.')),
    lastReport: Type.Optional(
      Type.Object(
        {
          id: Type.String({ description: 'ID of the report in drift_reports.' }),
          outcome: Enum(['Checked', 'InsufficientData'], {
            description: 'Checked, or InsufficientData when a window had fewer than minSamples rows.',
          }),
          currentSamples: Type.Integer({ description: 'Predictions in the current window.' }),
          referenceSamples: Type.Integer({ description: 'Rows in the reference.' }),
          tests: Type.Array(DriftTestSummary, { description: 'One line per test.' }),
        },
        { description: 'Summary of the latest report (the whole report is in drift_reports).' },
      ),
    ),
    lastRetrainTime: Type.Optional(Timestamp('When the monitor last created a TrainingRun.')),
    lastTrainingRun: Type.Optional(
      Type.String({ description: 'Name of the last TrainingRun the monitor created.' }),
    ),
    observedGeneration: Type.Optional(ObservedGeneration),
    conditions: Type.Optional(
      Conditions('Ready, Drifted and InsufficientData, in the metav1.Condition shape.'),
    ),
  },
  { description: 'The latest check and what the monitor did about it.' },
);
export type DriftMonitorStatus = Static<typeof DriftMonitorStatus>;

export const driftMonitor: KindDefinition = {
  kind: 'DriftMonitor',
  plural: 'driftmonitors',
  shortNames: ['dm'],
  description:
    "DriftMonitor compares, on a schedule, the recent predictions a model served (the inference log) with a reference (the window before, or the training data of the served version): PSI, KS, Jensen-Shannon, chi-squared, the out-of-vocabulary share, and the performance test (live accuracy from labels against the served version's test accuracy), each graded OK, WARNING, ALERT or CRITICAL. Reports are stored in PostgreSQL (drift_reports), summarised in the status and exported as metrics; with onDrift retrain, an ALERT or worse creates a TrainingRun, at most once per cooldown.",
  spec: DriftMonitorSpec,
  status: DriftMonitorStatus,
  printerColumns: [
    {
      name: 'Model',
      type: 'string',
      description: 'Registered model whose inference log is compared',
      jsonPath: '.status.modelName',
    },
    {
      name: 'Severity',
      type: 'string',
      description: 'Worst severity of the latest check (OK, WARNING, ALERT, CRITICAL)',
      jsonPath: '.status.severity',
    },
    { name: 'Drifted', type: 'string', jsonPath: '.status.conditions[?(@.type=="Drifted")].status' },
    { name: 'Last Check', type: 'date', jsonPath: '.status.lastCheckTime' },
    { name: 'Next Check', type: 'string', jsonPath: '.status.nextCheckTime' },
    {
      name: 'Retrain',
      type: 'string',
      description: 'Last TrainingRun the monitor created',
      jsonPath: '.status.lastTrainingRun',
    },
  ],
};
