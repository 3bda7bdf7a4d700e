import { driftActions } from '@prodclass/catalog/drift/report-store';
import { type Command, InvalidArgumentError, Option } from 'commander';
import type { AckFlags, CheckFlags } from '../actions/drift.js';
import { integerAtLeast } from '../options.js';
import { requester } from '../requester.js';

const actions = () => import('../actions/drift.js');

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
    .action(async (flags: CheckFlags) => (await actions()).check(flags));
  drift
    .command('ack')
    .description('record who acknowledged a drift report, with which action and why')
    .argument('<report>', 'the report id')
    .addOption(
      new Option('--action <action>', 'what is done about it').choices(driftActions).makeOptionMandatory(),
    )
    .requiredOption('--by <name>', 'who acknowledges')
    .option('--reason <text>', 'why')
    .action(async (reportId: string, flags: AckFlags) => (await actions()).acknowledge(reportId, flags));
}
