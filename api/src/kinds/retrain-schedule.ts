import { type Static, Type } from '@sinclair/typebox';
import type { KindDefinition } from '../crd.js';
import { retrainScheduleDefaults as defaults } from '../defaults.js';
import { Conditions, Enum, ObservedGeneration, Timestamp } from '../schema.js';
import { CatalogSource, IncrementPercent, LoadSeed } from './data-increment.js';
import { trainingFields } from './training-run.js';

const HistoryLimit = (description: string, fallback: number) =>
  Type.Integer({ description, default: fallback, minimum: 0, maximum: 100 });

export const RetrainScheduleSpec = Type.Object(
  {
    schedule: Type.String({
      description:
        "Cron schedule in the 5-field format (minute hour day-of-month month day-of-week, with ranges, steps, lists and names) or a macro such as @weekly, read on the timeZone's wall clock.",
      minLength: 1,
      maxLength: 256,
    }),
    timeZone: Type.String({
      description:
        'IANA time zone of the schedule, such as Europe/Paris. A time skipped by a daylight-saving jump runs at the jump; a repeated one runs once.',
      default: defaults.timeZone,
      minLength: 1,
      maxLength: 64,
    }),
    suspend: Type.Boolean({
      description:
        'Create nothing while true. As with CronJob, ticks passed while suspended count as missed: on resuming, the latest of them runs (unless startingDeadlineSeconds has passed).',
      default: defaults.suspend,
    }),
    concurrencyPolicy: Enum(['Forbid', 'Replace'], {
      description:
        "What a tick does while an earlier tick's DataIncrement or TrainingRun is still running: Forbid skips the tick, Replace deletes the running ones and starts the new pair.",
      default: defaults.concurrencyPolicy,
    }),
    startingDeadlineSeconds: Type.Optional(
      Type.Integer({
        description:
          'A tick that could not start within this many seconds of its time (the operator was down) is skipped; without it the latest missed tick always runs.',
        format: 'int64',
        minimum: 1,
      }),
    ),
    successfulHistoryLimit: HistoryLimit(
      'Finished ticks whose TrainingRun succeeded to keep (older ones are deleted).',
      defaults.successfulHistoryLimit,
    ),
    failedHistoryLimit: HistoryLimit(
      'Finished ticks that failed to keep (older ones are deleted).',
      defaults.failedHistoryLimit,
    ),
    dataIncrement: Type.Object(
      { source: CatalogSource, incrementPercent: IncrementPercent, seed: LoadSeed },
      {
        description:
          'The DataIncrement of each tick (the DataIncrement spec, always an increment; the last one of a catalog loads what remains up to 100%).',
      },
    ),
    trainingRun: Type.Object(trainingFields, {
      description:
        "The TrainingRun of each tick (the TrainingRun spec without dataVersion: it trains on the tick's DataIncrement once that has succeeded).",
      default: {},
    }),
  },
  { description: 'When to retrain, and the DataIncrement and TrainingRun each tick creates.' },
);
export type RetrainScheduleSpec = Static<typeof RetrainScheduleSpec>;

const ScheduledPairFields = {
  scheduledTime: Timestamp("The tick's scheduled time."),
  dataIncrement: Type.String({ description: "Name of the tick's DataIncrement." }),
  trainingRun: Type.String({ description: "Name of the tick's TrainingRun." }),
};

/** The DataIncrement and TrainingRun one tick created (both named after the tick). */
export const ScheduledPair = Type.Object(ScheduledPairFields, { description: "One tick's children." });
export type ScheduledPair = Static<typeof ScheduledPair>;

export const TickOutcome = Enum(['Started', 'NothingToLoad', 'Skipped', 'MissedDeadline'], {
  description:
    'Started (children created), NothingToLoad (the catalog is complete), Skipped (Forbid and an earlier tick still running) or MissedDeadline (past startingDeadlineSeconds).',
});
export type TickOutcome = Static<typeof TickOutcome>;

export const FinishedTick = Type.Object(
  {
    ...ScheduledPairFields,
    result: Enum(['Succeeded', 'Failed'], {
      description: 'Succeeded when the TrainingRun succeeded, else Failed.',
    }),
    modelVersion: Type.Optional(Type.String({ description: 'Model version the TrainingRun registered.' })),
    promotion: Type.Optional(
      Type.String({ description: "The TrainingRun's promotion decision (promote or reject)." }),
    ),
  },
  { description: 'One finished tick.' },
);

export const RetrainScheduleStatus = Type.Object(
  {
    lastScheduleTime: Type.Optional(
      Timestamp('The latest tick that created a DataIncrement and a TrainingRun.'),
    ),
    lastSuccessfulTime: Type.Optional(Timestamp('The latest tick whose TrainingRun succeeded.')),
    nextScheduleTime: Type.Optional(Timestamp('When the schedule next fires (unset while suspended).')),
    lastTick: Type.Optional(
      Type.Object(
        {
          time: Timestamp("The tick's scheduled time."),
          outcome: TickOutcome,
          message: Type.String({ description: 'Details, for a person.' }),
        },
        { description: 'What the latest tick the operator handled did.' },
      ),
    ),
    active: Type.Optional(
      Type.Array(ScheduledPair, {
        description: 'Ticks whose DataIncrement or TrainingRun is still in progress.',
      }),
    ),
    recent: Type.Optional(
      Type.Array(FinishedTick, {
        description: 'Finished ticks, newest first, as many as the history limits keep.',
      }),
    ),
    observedGeneration: Type.Optional(ObservedGeneration),
    conditions: Type.Optional(
      Conditions('Ready, in the metav1.Condition shape; its reason is Scheduled, Suspended or InvalidSpec.'),
    ),
  },
  { description: 'The ticks of the schedule and the children they created.' },
);
export type RetrainScheduleStatus = Static<typeof RetrainScheduleStatus>;

export const retrainSchedule: KindDefinition = {
  kind: 'RetrainSchedule',
  plural: 'retrainschedules',
  shortNames: ['rs'],
  description:
    'RetrainSchedule keeps the model fresh on a cron schedule, as Kubernetes CronJob runs Jobs: at each tick it creates a DataIncrement that loads the next slice of the catalog and a TrainingRun that trains on it once it has loaded (and, with autoPromote, promotes the result). Children are named after the tick (`<name>-<unix minutes>`), so a restarted operator never creates a tick twice; ticks missed while it was down run once, for the latest of them. When the catalog is complete (100%), a tick records "nothing to load" and creates nothing.',
  spec: RetrainScheduleSpec,
  status: RetrainScheduleStatus,
  objectValidations: [
    {
      rule: 'self.metadata.name.size() <= 52',
      message: "a RetrainSchedule's name has at most 52 characters (its children add -<unix minutes>)",
    },
  ],
  printerColumns: [
    { name: 'Schedule', type: 'string', jsonPath: '.spec.schedule' },
    { name: 'Suspend', type: 'boolean', jsonPath: '.spec.suspend' },
    {
      name: 'Active',
      type: 'string',
      description: 'TrainingRuns of the ticks still in progress',
      jsonPath: '.status.active[*].trainingRun',
    },
    { name: 'Last Schedule', type: 'date', jsonPath: '.status.lastScheduleTime' },
    {
      name: 'Next',
      type: 'string',
      description: 'When the schedule next fires',
      jsonPath: '.status.nextScheduleTime',
    },
  ],
};
