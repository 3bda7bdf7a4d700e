import type { Command } from 'commander';

const actions = () => import('../actions/reproduce.js');

export function registerReproduceCommand(program: Command): void {
  program
    .command('reproduce')
    .description(
      'rebuild a training run from PostgreSQL and refit it; exits 0 only if the dataset, weights and metrics are identical',
    )
    .requiredOption('--run-id <id>', 'MLflow run id of a prodclass train run')
    .action(async (flags: { runId: string }) => (await actions()).reproduce(flags));
}
