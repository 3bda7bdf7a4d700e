import type { Command } from 'commander';
import type { ShadowReportFlags } from '../actions/rollout.js';
import { duration } from './drift.js';
import { instant } from './quality.js';

const actions = () => import('../actions/rollout.js');

export function registerRolloutCommands(program: Command): void {
  const rollout = program
    .command('rollout')
    .description(
      'progressive delivery of a candidate model (docs/model-server.md#candidate-model-canary-and-shadow)',
    );
  rollout
    .command('shadow-report')
    .description(
      "the candidate's shadow predictions against the served answers: agreement, class flips, time per prediction",
    )
    .requiredOption('--model <name>', 'the registered model')
    .option('--candidate-version <version>', 'only this candidate version')
    .option(
      '--window <duration>',
      'shadow predictions of the last 7d, 12h, 30m, ...',
      duration,
      duration('1h'),
    )
    .option('--to <time>', 'the end of the window (default: now)', instant)
    .option('--flips <count>', 'the most frequent class flips to print', Number, 10)
    .option('--json', 'print the report as JSON', false)
    .action(async (flags: ShadowReportFlags) => (await actions()).shadowReport(flags));
}
