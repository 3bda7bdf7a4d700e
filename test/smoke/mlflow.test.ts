import { expect, test } from 'vitest';
import { stackEnv } from '../support/stack-env.js';

async function call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const url = new URL(`/api/2.0/mlflow/${path}`, stackEnv().MLFLOW_TRACKING_URI);
  const response = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return JSON.parse(text) as T;
}

test('MLflow: an experiment and a run are created and read back over REST', async () => {
  const name = `smoke-${Date.now()}-${process.pid}`;
  const { experiment_id } = await call<{ experiment_id: string }>('POST', 'experiments/create', { name });
  const byName = await call<{ experiment: { experiment_id: string } }>(
    'GET',
    `experiments/get-by-name?experiment_name=${encodeURIComponent(name)}`,
  );
  expect(byName.experiment.experiment_id).toBe(experiment_id);

  const { run } = await call<{ run: { info: { run_id: string; artifact_uri: string } } }>(
    'POST',
    'runs/create',
    {
      experiment_id,
      run_name: 'smoke',
      start_time: Date.now(),
    },
  );
  await call('POST', 'runs/log-batch', {
    run_id: run.info.run_id,
    params: [{ key: 'C', value: '1.0' }],
    metrics: [{ key: 'f1_weighted', value: 0.8, timestamp: Date.now(), step: 0 }],
    tags: [{ key: 'smoke', value: 'yes' }],
  });
  const readBack = await call<{
    run: { data: { params: { key: string; value: string }[]; metrics: { key: string; value: number }[] } };
  }>('GET', `runs/get?run_id=${run.info.run_id}`);
  expect(readBack.run.data.params).toContainEqual({ key: 'C', value: '1.0' });
  expect(readBack.run.data.metrics.find((metric) => metric.key === 'f1_weighted')?.value).toBe(0.8);
  expect(run.info.artifact_uri).toMatch(/^mlflow-artifacts:\//);
});
