import { databasePool } from '@prodclass/catalog/database';
import { checkDrift } from '@prodclass/catalog/drift/check-drift';
import {
  type DriftReport,
  defaultDriftTests,
  defaultSeverityThresholds,
  type ReferenceWindow,
} from '@prodclass/catalog/drift/report';
import {
  acknowledgeDriftReport,
  type DriftAction,
  driftActions,
  saveDriftReport,
} from '@prodclass/catalog/drift/report-store';
import { type Command, InvalidArgumentError, Option } from 'commander';
import type pg from 'pg';
import { trainingDataVersion } from '../drift/training-reference.js';
import { databaseUrlFromEnv } from '../env.js';
import { integerAtLeast, writeJson } from '../options.js';
import { mlflowFromEnv, requester, withMigratedDatabase } from '../services.js';

const unitMs = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** A duration such as 7d, 12h or 30m, in milliseconds. */
export function duration(value: string): number {
  const match = /^(\d+)([mhd])$/.exec(value);
  if (!match || Number(match[1]) === 0)
    throw new InvalidArgumentError('must be a positive duration such as 7d, 12h or 30m');
  return Number(match[1]) * unitMs[match[2] as keyof typeof unitMs];
}

function referenceOption(value: string): number | 'training' {
  return value === 'training' ? 'training' : duration(value);
}

interface CheckFlags {
  model: string;
  version?: string;
  current: number;
  reference: number | 'training';
  minSamples: number;
  monitor: string;
  save: boolean;
  json: boolean;
}

/** The database's schema brought up to date, then a pool for the checks' parallel queries. */
async function withPool<T>(work: (pool: pg.Pool) => Promise<T>): Promise<T> {
  await withMigratedDatabase(async () => {});
  const pool = databasePool(databaseUrlFromEnv(), 3);
  try {
    return await work(pool);
  } finally {
    await pool.end();
  }
}

function summary(report: DriftReport): string {
  const lines = [
    `drift report ${report.id}: ${report.outcome}, severity ${report.severity}`,
    `  current  ${report.current.from.toISOString()} .. ${report.current.to.toISOString()}: ${report.current.samples} predictions`,
    `  reference ${report.reference.kind}: ${report.reference.samples} rows`,
  ];
  for (const test of report.tests) {
    const value = test.notApplicable ? `not applicable: ${test.notApplicable}` : test.statistic.toFixed(4);
    const p = test.pValue === null ? '' : ` (p = ${test.pValue.toPrecision(3)})`;
    lines.push(`  ${test.severity.padEnd(8)} ${`${test.feature}/${test.test}`.padEnd(28)} ${value}${p}`);
  }
  return `${lines.join('\n')}\n`;
}

async function check(flags: CheckFlags): Promise<void> {
  const to = new Date();
  const from = new Date(to.getTime() - flags.current);
  let reference: ReferenceWindow;
  if (flags.reference === 'training') {
    if (!flags.version)
      throw new Error('--reference training needs --version: the training data of which version?');
    const dataVersion = await trainingDataVersion(
      mlflowFromEnv('the training reference'),
      flags.model,
      flags.version,
    );
    reference = { kind: 'trainingData', modelVersion: flags.version, dataVersion };
  } else {
    reference = { kind: 'window', from: new Date(from.getTime() - flags.reference), to: from };
  }
  const report = await withPool(async (pool) => {
    const checked = await checkDrift(pool, {
      monitor: flags.monitor,
      modelName: flags.model,
      ...(flags.version ? { modelVersion: flags.version } : {}),
      current: { from, to },
      reference,
      tests: defaultDriftTests,
      thresholds: defaultSeverityThresholds,
      minSamples: flags.minSamples,
    });
    if (flags.save) await saveDriftReport(pool, checked);
    return checked;
  });
  if (flags.json) writeJson(report);
  else process.stdout.write(summary(report));
}

interface AckFlags {
  action: DriftAction;
  by: string;
  reason?: string;
}

async function acknowledge(reportId: string, flags: AckFlags): Promise<void> {
  const acknowledgement = await withPool((pool) =>
    acknowledgeDriftReport(pool, {
      reportId,
      action: flags.action,
      by: flags.by,
      ...(flags.reason ? { reason: flags.reason } : {}),
    }),
  );
  writeJson(acknowledgement);
}

export function registerDriftCommands(program: Command): void {
  const drift = program
    .command('drift')
    .description('drift of the served inputs and predictions (docs/drift.md)');
  drift
    .command('check')
    .description("compare a model's recent inference log with a reference window or its training data")
    .requiredOption('--model <name>', 'registered model whose logged predictions are compared')
    .option('--version <version>', 'only predictions of this model version')
    .option('--current <duration>', 'the current window: the last 7d, 12h, ...', duration, duration('7d'))
    .option(
      '--reference <duration|training>',
      'the window just before the current one, or the training data of --version',
      referenceOption,
      duration('30d'),
    )
    .option('--min-samples <n>', 'fewer rows in a window gives InsufficientData', integerAtLeast(1), 1000)
    .option('--monitor <label>', 'who asks, recorded with the report', requester())
    .option('--save', 'store the report in drift_reports', false)
    .option('--json', 'print the report as JSON', false)
    .action((flags: CheckFlags) => check(flags));
  drift
    .command('ack')
    .description('record who acknowledged a drift report, with which action and why')
    .argument('<report>', 'the report id')
    .addOption(
      new Option('--action <action>', 'what is done about it').choices(driftActions).makeOptionMandatory(),
    )
    .requiredOption('--by <name>', 'who acknowledges')
    .option('--reason <text>', 'why')
    .action((reportId: string, flags: AckFlags) => acknowledge(reportId, flags));
}
