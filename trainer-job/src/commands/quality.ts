import { type Command, InvalidArgumentError } from 'commander';
import type { ReportFlags } from '../actions/quality.js';
import { duration } from './drift.js';

const actions = () => import('../actions/quality.js');

export function instant(value: string): Date {
  const date = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(date.getTime()))
    throw new InvalidArgumentError('must be an ISO 8601 date-time such as 2026-12-07T10:00:00Z');
  return date;
}

export function registerQualityCommands(program: Command): void {
  const quality = program
    .command('quality')
    .description('live quality of served predictions against their labels (docs/quality.md)');
  quality
    .command('report')
    .description(
      'labeled count, coverage, accuracy, weighted F1, recall per class and label lag per model version',
    )
    .option('--model <name>', "only this registered model's predictions")
    .option('--window <duration>', 'predictions made in the last 7d, 12h, 30m, ...', duration, duration('7d'))
    .option('--to <time>', 'the end of the window (default: now)', instant)
    .option('--json', 'print the report as JSON', false)
    .option('--prometheus', 'print the gauges in the Prometheus text format', false)
    .option('--service <name>', 'the service label of the --prometheus gauges (default: the model name)')
    .action(async (flags: ReportFlags) => (await actions()).report(flags));
}
