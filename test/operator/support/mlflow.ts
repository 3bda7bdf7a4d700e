import type { TrainResult } from '@prodclass/registry/contract/job-result';
import { calibrationMetrics, metricKey } from '@prodclass/registry/contract/metric-keys';
import { promotionTags, trainingRunTag, trainingTags } from '@prodclass/registry/contract/mlflow-tags';
import { stackEnv } from '../../support/stack-env.js';

/** Direct MLflow REST calls, for tests that play the part of a training Job. */
export async function mlflow<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> {
  const response = await fetch(new URL(`/api/2.0/mlflow/${path}`, stackEnv().MLFLOW_TRACKING_URI), {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`MLflow ${path}: ${response.status} ${text}`);
  return (text ? JSON.parse(text) : {}) as T;
}

export interface FakeTraining {
  experiment: string;
  registeredModel: string;
  trainingRun: string;
  f1: number;
  decision?: 'promote' | 'reject';
  /** The data version the Job reports it trained on. */
  dataVersion?: string;
  /** The run logged a calibration temperature, as versions trained since calibration do. */
  calibrated?: boolean;
}

/**
 * What `prodclass train --decide-promotion` leaves in MLflow: a finished run tagged with its
 * TrainingRun, test metrics, a registered version and the decision on the version's tags; and
 * the result it reports in its termination message.
 */
export async function recordTraining(
  training: FakeTraining,
): Promise<{ runId: string; version: string; result: TrainResult }> {
  let experimentId: string;
  try {
    experimentId = (
      await mlflow<{ experiment: { experiment_id: string } }>(
        'GET',
        `experiments/get-by-name?experiment_name=${encodeURIComponent(training.experiment)}`,
      )
    ).experiment.experiment_id;
  } catch {
    experimentId = (
      await mlflow<{ experiment_id: string }>('POST', 'experiments/create', { name: training.experiment })
    ).experiment_id;
  }
  const { run } = await mlflow<{ run: { info: { run_id: string; artifact_uri: string } } }>(
    'POST',
    'runs/create',
    {
      experiment_id: experimentId,
      start_time: Date.now(),
      tags: [{ key: trainingRunTag, value: training.trainingRun }],
    },
  );
  const runId = run.info.run_id;
  const metrics = {
    [metricKey('test', 'accuracy')]: training.f1 + 0.02,
    [metricKey('test', 'f1_weighted')]: training.f1,
    [metricKey('test', 'f1_macro')]: training.f1 - 0.03,
    ...(training.calibrated ? { [calibrationMetrics.temperature]: 0.9 } : {}),
  };
  await mlflow('POST', 'runs/log-batch', {
    run_id: runId,
    metrics: Object.entries(metrics).map(([key, value]) => ({ key, value, timestamp: Date.now(), step: 0 })),
  });
  await mlflow('POST', 'registered-models/create', { name: training.registeredModel }).catch(() => undefined);
  const { model_version } = await mlflow<{ model_version: { version: string } }>(
    'POST',
    'model-versions/create',
    {
      name: training.registeredModel,
      source: `${run.info.artifact_uri}/model`,
      run_id: runId,
    },
  );
  await mlflow('POST', 'runs/set-tag', {
    run_id: runId,
    key: trainingTags.modelVersion,
    value: model_version.version,
  });
  if (training.decision) {
    for (const [key, value] of Object.entries({
      [promotionTags.decision]: training.decision,
      [promotionTags.reason]: `test decision: ${training.decision}`,
    }))
      await mlflow('POST', 'model-versions/set-tag', {
        name: training.registeredModel,
        version: model_version.version,
        key,
        value,
      });
  }
  await mlflow('POST', 'runs/update', { run_id: runId, status: 'FINISHED', end_time: Date.now() });
  const result: TrainResult = {
    kind: 'train',
    dataVersion: training.dataVersion ?? 'latest',
    rows: { train: 800, test: 200 },
    runId,
    registeredModel: training.registeredModel,
    modelVersion: model_version.version,
    metrics,
    ...(training.decision
      ? { promotion: { decision: training.decision, reason: `test decision: ${training.decision}` } }
      : {}),
  };
  return { runId, version: model_version.version, result };
}

export async function aliasVersion(registeredModel: string, alias: string): Promise<string | undefined> {
  return mlflow<{ model_version: { version: string } }>(
    'GET',
    `registered-models/alias?name=${encodeURIComponent(registeredModel)}&alias=${encodeURIComponent(alias)}`,
  ).then(
    (found) => found.model_version.version,
    () => undefined,
  );
}

/** The runs tagged with a TrainingRun; with `status`, only those that ended so (FINISHED, FAILED). */
export async function runsTagged(experiment: string, trainingRun: string, status?: string): Promise<number> {
  const { experiment: found } = await mlflow<{ experiment: { experiment_id: string } }>(
    'GET',
    `experiments/get-by-name?experiment_name=${encodeURIComponent(experiment)}`,
  );
  const tagged = `tags."${trainingRunTag}" = '${trainingRun}'`;
  const { runs = [] } = await mlflow<{ runs?: unknown[] }>('POST', 'runs/search', {
    experiment_ids: [found.experiment_id],
    filter: status ? `${tagged} and attributes.status = '${status}'` : tagged,
  });
  return runs.length;
}
