import { writeJson } from '../options.js';
import { mlflowFromEnv, withCatalogDatabase } from '../services.js';
import { reproduceRun } from '../training/reproduce.js';

export async function reproduce(flags: { runId: string }): Promise<void> {
  const mlflow = mlflowFromEnv('reproducing a run');
  const report = await withCatalogDatabase((db) => reproduceRun({ db, mlflow }, flags.runId));
  writeJson(report);
  if (!report.identical) process.exitCode = 1;
}
