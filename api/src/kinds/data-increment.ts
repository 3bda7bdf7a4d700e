import { type Static, Type } from '@sinclair/typebox';
import type { KindDefinition } from '../crd.js';
import { defaultSeed, defaultSyntheticRows } from '../defaults.js';
import { Conditions, cel, Enum, ObservedGeneration, Seed, Timestamp } from '../schema.js';

export const CatalogSource = Type.Object(
  {
    synthetic: Type.Optional(
      Type.Object(
        {
          seed: Seed({
            description: 'Seed of the generator; the same seed and rows give the same catalog.',
            default: defaultSeed,
          }),
          rows: Type.Integer({
            description: 'Number of products in the generated catalog (the real one has 84916).',
            default: defaultSyntheticRows,
            minimum: 27,
            maximum: 10000000,
          }),
        },
        {
          description:
            "A generated catalog with the real data set's shape (27 classes, French text), for development and tests.",
        },
      ),
    ),
    files: Type.Optional(
      Type.Object(
        {
          path: Type.Optional(
            Type.String({
              description: "Directory holding the files, as mounted in the load Job's container.",
              minLength: 1,
              maxLength: 4096,
              pattern: '^/',
            }),
          ),
          url: Type.Optional(
            Type.String({
              description: 'HTTP(S) address of the directory holding the files.',
              minLength: 1,
              maxLength: 4096,
              pattern: '^https?://',
            }),
          ),
        },
        {
          description:
            'The official challenge files (X_train, Y_train CSV); set exactly one of path and url.',
          ...cel({
            rule: 'has(self.path) != has(self.url)',
            message: 'files needs exactly one of path and url',
          }),
        },
      ),
    ),
  },
  {
    description: 'Where the catalog rows come from; set exactly one of synthetic and files.',
    ...cel({
      rule: 'has(self.synthetic) != has(self.files)',
      message: 'source needs exactly one of synthetic and files',
    }),
  },
);
export type CatalogSource = Static<typeof CatalogSource>;

const Percent = (description: string) => Type.Number({ description, exclusiveMinimum: 0, maximum: 100 });

export const IncrementPercent = Percent(
  'Grow the catalog by this share of the source, in percentage points (0 < p <= 100).',
);

export const LoadSeed = Seed({
  description: 'Seed of the permutation that orders the source; keep it for every load of one catalog.',
  default: defaultSeed,
});

const DataVersionName = (description: string) =>
  Type.String({ description, minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' });

export const DataIncrementSpec = Type.Object(
  {
    source: CatalogSource,
    toPercent: Type.Optional(
      Percent('Grow the catalog to this cumulative share of the source, in percent (0 < p <= 100).'),
    ),
    incrementPercent: Type.Optional(IncrementPercent),
    seed: LoadSeed,
    dataVersion: Type.Optional(
      DataVersionName(
        "Data version this load creates: its name in the data_loads table, what `prodclass train --data-version`, `prodclass data history` and a trained model's prodclass.data_version tag show; defaults to this object's name.",
      ),
    ),
    loadName: Type.Optional(
      DataVersionName('Deprecated: the former name of dataVersion, still accepted; set at most one of them.'),
    ),
  },
  {
    description: 'What to load and how much of it.',
    ...cel(
      { rule: 'self == oldSelf', message: 'spec is immutable; create a new DataIncrement for another load' },
      {
        rule: 'has(self.toPercent) != has(self.incrementPercent)',
        message: 'set exactly one of toPercent and incrementPercent',
      },
      {
        rule: '!(has(self.dataVersion) && has(self.loadName))',
        message: 'set at most one of dataVersion and its deprecated name loadName',
      },
    ),
  },
);
export type DataIncrementSpec = Static<typeof DataIncrementSpec>;

export const DataIncrementStatus = Type.Object(
  {
    phase: Type.Optional(
      Enum(['Pending', 'Running', 'Succeeded', 'Failed'], {
        description: 'Pending until the load Job starts, Running while it runs, then Succeeded or Failed.',
      }),
    ),
    dataVersion: Type.Optional(
      Type.String({ description: 'Data version the load created (its name in the data_loads table).' }),
    ),
    loadName: Type.Optional(
      Type.String({
        description:
          'Deprecated: the former name of dataVersion, as operators before the rename wrote it; read only when dataVersion is absent.',
      }),
    ),
    rowsAdded: Type.Optional(Type.Integer({ description: 'Rows this load added to the catalog.' })),
    totalRows: Type.Optional(Type.Integer({ description: 'Rows in the catalog after this load.' })),
    percentage: Type.Optional(
      Type.Number({
        description: 'Cumulative share of the source in the catalog after this load, in percent.',
      }),
    ),
    datasetFingerprint: Type.Optional(
      Type.String({
        description: 'Fingerprint of the catalog snapshot after this load; training runs record it.',
      }),
    ),
    jobName: Type.Optional(Type.String({ description: 'Name of the Job that runs the load.' })),
    startTime: Type.Optional(Timestamp('When the load Job was created.')),
    completionTime: Type.Optional(Timestamp('When the load finished, successfully or not.')),
    observedGeneration: Type.Optional(ObservedGeneration),
    conditions: Type.Optional(Conditions('Ready, JobCreated and Loaded, in the metav1.Condition shape.')),
  },
  { description: 'What the load did, as recorded in the data_loads table.' },
);
export type DataIncrementStatus = Static<typeof DataIncrementStatus>;

export const dataIncrement: KindDefinition = {
  kind: 'DataIncrement',
  plural: 'dataincrements',
  shortNames: ['di'],
  description:
    'DataIncrement loads the next slice of the product catalog into PostgreSQL, as one row of the data_loads table. Every slice is taken from one fixed seeded shuffle of the source, so loads are reproducible. The spec is immutable: create another DataIncrement for another load.',
  spec: DataIncrementSpec,
  status: DataIncrementStatus,
  printerColumns: [
    { name: 'Phase', type: 'string', jsonPath: '.status.phase' },
    { name: 'Data', type: 'string', jsonPath: '.status.dataVersion' },
    {
      name: 'Rows',
      type: 'integer',
      description: 'Rows in the catalog after this load',
      jsonPath: '.status.totalRows',
    },
    {
      name: 'Percent',
      type: 'number',
      description: 'Cumulative share of the source loaded',
      jsonPath: '.status.percentage',
    },
  ],
};
