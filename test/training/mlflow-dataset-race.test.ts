import { MlflowClient } from '@prodclass/registry/mlflow/client';
import { expect, test } from 'vitest';
import { stackEnv } from '../support/stack-env.js';

interface RunInputs {
  run: { inputs?: { dataset_inputs?: { dataset: { name: string; digest: string } }[] } };
}

// Two trainings on one catalog load in one experiment log the same new dataset at once; MLflow's
// store inserts it twice and refuses the second with a unique violation. Both runs must get it.
test('runs logging the same new dataset at the same moment all record it', async () => {
  const mlflow = new MlflowClient(stackEnv().MLFLOW_TRACKING_URI);
  const experimentId = await mlflow.experimentId(`dataset-race-${Date.now()}-${process.pid}`);
  const pairs = 12;
  const runs = await Promise.all(
    Array.from({ length: pairs * 2 }, (_, index) => mlflow.createRun(experimentId, `run-${index}`)),
  );
  for (let pair = 0; pair < pairs; pair++) {
    const dataset = {
      name: `catalog@load_${pair}`,
      digest: `digest${pair}`,
      sourceType: 'prodclass-catalog',
      source: `postgresql:load_${pair}`,
      context: 'training',
    };
    const both = runs.slice(pair * 2, pair * 2 + 2);
    await Promise.all(both.map((run) => mlflow.logInputs(run.runId, [dataset])));
    for (const run of both) {
      const url = new URL(`/api/2.0/mlflow/runs/get?run_id=${run.runId}`, stackEnv().MLFLOW_TRACKING_URI);
      const { run: stored } = (await (await fetch(url)).json()) as RunInputs;
      expect(stored.inputs?.dataset_inputs?.map(({ dataset }) => dataset.digest)).toEqual([`digest${pair}`]);
    }
  }
});
