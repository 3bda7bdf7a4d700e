import type { Command } from 'commander';
import { writeJson } from '../options.js';
import { mlflowFromEnv, withMigratedDatabase } from '../services.js';
import { reproduceRun } from '../training/reproduce.js';

export function registerReproduceCommand(program: Command): void {
  program
    .command('reproduce')
    .description(
      'rebuild a training run from PostgreSQL and refit it; exits 0 only if the dataset, weights and metrics are identical',
    )
    .requiredOption('--run-id <id>', 'MLflow run id of a prodclass train run')
    .action(async (flags: { runId: string }) => {
      const mlflow = mlflowFromEnv('reproducing a run');
      const report = await withMigratedDatabase((db) => reproduceRun({ db, mlflow }, flags.runId));
      writeJson(report);
      if (!report.identical) process.exitCode = 1;
    });
}
