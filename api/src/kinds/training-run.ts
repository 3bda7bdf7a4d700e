import { productClasses } from '@prodclass/textmodel/classes';
import { type Static, Type } from '@sinclair/typebox';
import type { KindDefinition } from '../crd.js';
import {
  autoPromoteDefaults,
  defaultExperiment,
  defaultRegisteredModel,
  hyperparameterDefaults,
  latestDataVersion,
  trainingJobDefaults,
} from '../defaults.js';
import {
  Alias,
  Conditions,
  cel,
  Enum,
  ObservedGeneration,
  objectName,
  RegisteredModel,
  ResourceRequirements,
  Seed,
  Timestamp,
} from '../schema.js';

const defaults = hyperparameterDefaults;

export const Hyperparameters = Type.Object(
  {
    maxFeatures: Type.Integer({
      description: 'Size of the TF-IDF vocabulary (the most frequent terms are kept).',
      default: defaults.maxFeatures,
      minimum: 1,
      maximum: 1000000,
    }),
    ngramMax: Type.Integer({
      description: 'Longest word n-gram in the vocabulary (1 = words only, 2 = words and pairs).',
      default: defaults.ngramMax,
      minimum: 1,
      maximum: 3,
    }),
    minDf: Type.Integer({
      description: 'Drop terms found in fewer documents than this.',
      default: defaults.minDf,
      minimum: 1,
      maximum: 1000,
    }),
    maxDf: Type.Number({
      description: 'Drop terms found in more than this share of the documents (0 < maxDf <= 1).',
      default: defaults.maxDf,
      exclusiveMinimum: 0,
      maximum: 1,
    }),
    c: Type.Number({
      description: 'Inverse regularisation strength of the logistic regression (C > 0).',
      default: defaults.c,
      exclusiveMinimum: 0,
      maximum: 1000000,
    }),
    maxIter: Type.Integer({
      description: 'Most optimiser iterations.',
      default: defaults.maxIter,
      minimum: 1,
      maximum: 100000,
    }),
    classWeight: Enum(['none', 'balanced'], {
      description: 'none weighs every example alike; balanced weighs classes by inverse frequency.',
      default: defaults.classWeight,
    }),
    seed: Seed({
      description: "Seed of the split, the oversampling and the optimiser's start.",
      default: defaults.seed,
    }),
    testSize: Type.Number({
      description: 'Share of the snapshot held out for evaluation (0.05 to 0.5).',
      default: defaults.testSize,
      minimum: 0.05,
      maximum: 0.5,
    }),
  },
  { description: 'TF-IDF and logistic-regression settings, as in `prodclass model fit`.', default: {} },
);
export type Hyperparameters = Static<typeof Hyperparameters>;

/** The fields of a TrainingRun spec other than dataVersion, which a RetrainSchedule's template lacks. */
export const trainingFields = {
  hyperparameters: Hyperparameters,
  registeredModel: RegisteredModel({
    description: 'MLflow registered model that receives the new version.',
    default: defaultRegisteredModel,
  }),
  experiment: Type.String({
    description: 'MLflow experiment the run is logged to.',
    default: defaultExperiment,
    minLength: 1,
    maxLength: 256,
  }),
  autoPromote: Type.Object(
    {
      enabled: Type.Boolean({
        description: 'Decide on promotion after training; a promote decision creates a ModelPromotion.',
        default: autoPromoteDefaults.enabled,
      }),
      minF1: Type.Number({
        description: 'Lowest weighted F1 on the held-out split that may be promoted (0 to 1).',
        default: autoPromoteDefaults.minF1,
        minimum: 0,
        maximum: 1,
      }),
      minComparisonRows: Type.Integer({
        description:
          'Fewest held-out rows the champion never trained on that a comparison with it needs; with fewer the new version is not promoted.',
        default: autoPromoteDefaults.minComparisonRows,
        minimum: 1,
        maximum: 10_000_000,
      }),
      maxClassDrop: Type.Number({
        description:
          "Largest drop of any class's F1 or recall against the champion, on the shared held-out products, that may be promoted (classes with fewer than 20 of them are not judged).",
        default: autoPromoteDefaults.maxClassDrop,
        minimum: 0,
        maximum: 1,
      }),
      criticalClasses: Type.Optional(
        Type.Array(
          Type.Object({
            code: Type.Integer({
              description: 'A product type code (prdtypecode) of the 27 classes.',
              enum: productClasses.map((productClass) => productClass.code).sort((a, b) => a - b),
            }),
            floor: Type.Number({
              description: "Lowest F1 and recall the class may have on the new version's held-out split.",
              minimum: 0,
              maximum: 1,
            }),
          }),
          {
            description: 'Classes that must keep their own floor, whatever the overall scores.',
            maxItems: 27,
            'x-kubernetes-list-type': 'map',
            'x-kubernetes-list-map-keys': ['code'],
          },
        ),
      ),
      alias: Alias({ description: 'Registry alias a promotion moves.', default: autoPromoteDefaults.alias }),
    },
    {
      description:
        'Champion/challenger rule: the new version is promoted only if its weighted F1 reaches minF1, every critical class keeps its floor, and it beats the current champion on the held-out products the champion never trained on: no class losing more than maxClassDrop of F1 or recall, a higher weighted F1 and a one-sided McNemar mid-p below 0.05 (docs/training.md).',
      default: {},
    },
  ),
  resources: Type.Optional(
    ResourceRequirements('CPU and memory of the training container (core ResourceRequirements).'),
  ),
  backoffLimit: Type.Integer({
    description: 'Retries of a failed training container before the run fails.',
    default: trainingJobDefaults.backoffLimit,
    minimum: 0,
    maximum: 10,
  }),
  activeDeadlineSeconds: Type.Integer({
    description: 'Wall-clock limit of the training Job, in seconds.',
    default: trainingJobDefaults.activeDeadlineSeconds,
    minimum: 60,
    maximum: 604800,
  }),
};

export const TrainingRunSpec = Type.Object(
  {
    dataVersion: Type.String({
      description:
        "Data version (catalog snapshot) to train on: latest for the newest completed load, or the name of a DataIncrement in this namespace (training waits until it has Succeeded, then trains on the increment's status.dataVersion).",
      default: latestDataVersion,
      minLength: 1,
      maxLength: 253,
      pattern: objectName,
    }),
    ...trainingFields,
    feedback: Type.Optional(
      Type.Object(
        {
          since: Timestamp(
            'Add the labeled predictions served at or after this time (RFC 3339) to the training rows.',
          ),
          sources: Type.Optional(
            Type.Array(Enum(['api', 'cli', 'catalog']), {
              description: 'Only labels from these sources; every source when absent.',
              minItems: 1,
              maxItems: 3,
            }),
          ),
        },
        {
          description:
            'Train on corrections too: one row per labeled product (the latest label wins), never a product of the held-out split; the rows are stored with the MLflow run so `prodclass reproduce` stays bit-exact (docs/training.md). Absent: the catalog snapshot only.',
        },
      ),
    ),
  },
  {
    description: 'What to train on, how, and what to do with the result.',
    ...cel({
      rule: 'self == oldSelf',
      message: 'spec is immutable; create a new TrainingRun to train again',
    }),
  },
);
export type TrainingRunSpec = Static<typeof TrainingRunSpec>;

export const TrainingMetrics = Type.Object(
  {
    accuracy: Type.Optional(Type.Number({ description: 'Share of held-out products classified correctly.' })),
    f1Weighted: Type.Optional(
      Type.Number({ description: 'F1 averaged over classes, weighted by their support.' }),
    ),
    f1Macro: Type.Optional(Type.Number({ description: 'F1 averaged over classes, each counting the same.' })),
    precisionWeighted: Type.Optional(
      Type.Number({ description: 'Precision averaged over classes, weighted by their support.' }),
    ),
    recallWeighted: Type.Optional(
      Type.Number({ description: 'Recall averaged over classes, weighted by their support.' }),
    ),
  },
  { description: 'Scores on the held-out split.' },
);
export type TrainingMetrics = Static<typeof TrainingMetrics>;

export const TrainingRunStatus = Type.Object(
  {
    phase: Type.Optional(
      Enum(['Pending', 'Running', 'Succeeded', 'Failed'], {
        description: 'Pending (waiting for data or the Job), Running, then Succeeded or Failed.',
      }),
    ),
    jobName: Type.Optional(Type.String({ description: 'Name of the training Job.' })),
    mlflowRunId: Type.Optional(Type.String({ description: 'ID of the MLflow run the Job logged.' })),
    modelVersion: Type.Optional(Type.String({ description: 'Registered model version the run created.' })),
    dataVersion: Type.Optional(
      Type.String({
        description:
          'Data version the run trains on: what spec.dataVersion resolved to (a data_loads name, or latest until the Job reports the newest completed load).',
      }),
    ),
    f1: Type.Optional(
      Type.String({
        description: 'Weighted F1 on the held-out split to 3 decimals, for display (e.g. "0.826").',
      }),
    ),
    metrics: Type.Optional(TrainingMetrics),
    promotion: Type.Optional(
      Type.Object(
        {
          decision: Type.Optional(Enum(['promote', 'reject'], { description: 'promote or reject.' })),
          reason: Type.Optional(Type.String({ description: 'Why, with both scores.' })),
          modelPromotion: Type.Optional(
            Type.String({ description: 'Name of the ModelPromotion created for a promote decision.' }),
          ),
        },
        { description: 'The champion/challenger decision, when autoPromote is enabled.' },
      ),
    ),
    startTime: Type.Optional(Timestamp('When the training Job was created.')),
    completionTime: Type.Optional(Timestamp('When the run finished, successfully or not.')),
    observedGeneration: Type.Optional(ObservedGeneration),
    conditions: Type.Optional(
      Conditions('Ready, DataReady, JobCreated, Trained and Promoted, in the metav1.Condition shape.'),
    ),
  },
  { description: 'Where the run is and what it produced.' },
);
export type TrainingRunStatus = Static<typeof TrainingRunStatus>;

export const trainingRun: KindDefinition = {
  kind: 'TrainingRun',
  plural: 'trainingruns',
  shortNames: ['tr'],
  description:
    'TrainingRun trains the classifier on a catalog snapshot in a Job, logs it to MLflow, registers a model version and, with autoPromote, decides by the champion/challenger rule whether to promote it (creating a ModelPromotion). The spec is immutable: create another TrainingRun to train again.',
  spec: TrainingRunSpec,
  status: TrainingRunStatus,
  printerColumns: [
    { name: 'Phase', type: 'string', jsonPath: '.status.phase' },
    { name: 'Data', type: 'string', jsonPath: '.spec.dataVersion' },
    {
      name: 'Version',
      type: 'string',
      description: 'Registered model version',
      jsonPath: '.status.modelVersion',
    },
    {
      name: 'F1',
      type: 'string',
      description:
        'Weighted F1 on the held-out split, to 3 decimals (the full number is in .status.metrics.f1Weighted)',
      jsonPath: '.status.f1',
    },
    { name: 'Promotion', type: 'string', jsonPath: '.status.promotion.decision' },
  ],
};
