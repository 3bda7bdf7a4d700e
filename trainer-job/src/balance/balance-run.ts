import path from 'node:path';
import { writeBytesAtomically } from '@prodclass/catalog/atomic-file';
import { completedLoadNamed } from '@prodclass/catalog/data-loads';
import { type Progress, silent } from '@prodclass/catalog/progress';
import { readCatalogDataset } from '@prodclass/catalog/snapshot';
import type { MlflowClient, MlflowMetric } from '@prodclass/registry/mlflow/client';
import type pg from 'pg';
import { renderClassDistributionPng } from '../charts/class-distribution-png.js';
import { balancedSetParquet } from './balanced-parquet.js';
import { buildBalancedSet, imbalanceRatio } from './balanced-set.js';

export const datasetVersioningExperiment = 'rakuten_dataset_versioning';
export const balancingStrategy = 'random_oversampling_train_only';

export interface BalanceRequest {
  loadName: string;
  file: string;
  testSize: number;
  seed: number;
}

export interface BalanceResult {
  run_id: string;
  experiment_id: string;
  load: string;
  file: string;
  dataset_fingerprint: string;
  test_rows: number;
  train_rows_before: number;
  train_rows_after: number;
  imbalance_ratio_before: number;
  imbalance_ratio_after: number;
}

function countMetrics(prefix: string, counts: Map<number, number>): MlflowMetric[] {
  return [...counts].map(([code, count]) => ({ key: `${prefix}_${code}`, value: count }));
}

/**
 * Builds the balanced training set of the catalog as of a completed load (split first, then
 * oversample the training part only), writes it as Parquet and records it in MLflow: the
 * parameters, the class counts and imbalance ratios, class-distribution charts and the Parquet file.
 */
export async function createBalancedTrainingSet(
  client: pg.Client,
  mlflow: MlflowClient,
  request: BalanceRequest,
  progress: Progress = silent,
): Promise<BalanceResult> {
  const { load, rows, fingerprint } = await readCatalogDataset(
    client,
    await completedLoadNamed(client, request.loadName),
  );
  progress('snapshot-read', { load: load.name, rows: rows.length });
  const balanced = buildBalancedSet(rows, request.testSize, request.seed);
  const parquet = balancedSetParquet(balanced.rows);
  await writeBytesAtomically(request.file, parquet);
  progress('parquet-written', { file: request.file, rows: balanced.rows.length, bytes: parquet.byteLength });

  const experimentId = await mlflow.experimentId(datasetVersioningExperiment);
  const run = await mlflow.createRun(experimentId, `balanced_${load.name}`, { data_version: load.name });
  try {
    const result: BalanceResult = {
      run_id: run.runId,
      experiment_id: experimentId,
      load: load.name,
      file: request.file,
      dataset_fingerprint: fingerprint,
      test_rows: balanced.testRows,
      train_rows_before: balanced.trainRowsBefore,
      train_rows_after: balanced.trainRowsAfter,
      imbalance_ratio_before: imbalanceRatio(balanced.trainCountsBefore),
      imbalance_ratio_after: imbalanceRatio(balanced.trainCountsAfter),
    };
    await mlflow.logBatch(run.runId, {
      params: [
        { key: 'data_version', value: load.name },
        { key: 'dataset_fingerprint', value: result.dataset_fingerprint },
        { key: 'percentage', value: String(load.cumulative_percentage) },
        { key: 'strategy', value: balancingStrategy },
        { key: 'test_size', value: String(request.testSize) },
        { key: 'seed', value: String(request.seed) },
        { key: 'rows_total', value: String(rows.length) },
        { key: 'test_rows', value: String(result.test_rows) },
        { key: 'train_rows_before', value: String(result.train_rows_before) },
        { key: 'train_rows_after', value: String(result.train_rows_after) },
      ],
      metrics: [
        { key: 'imbalance_ratio_before', value: result.imbalance_ratio_before },
        { key: 'imbalance_ratio_after', value: result.imbalance_ratio_after },
        ...countMetrics('train_count_before', balanced.trainCountsBefore),
        ...countMetrics('train_count_after', balanced.trainCountsAfter),
        ...countMetrics('test_count', balanced.testCounts),
      ],
    });
    const charts: [string, Map<number, number>, string][] = [
      [
        'class_distribution_before.png',
        balanced.trainCountsBefore,
        `Training part of ${load.name}, before oversampling`,
      ],
      [
        'class_distribution_after.png',
        balanced.trainCountsAfter,
        `Training part of ${load.name}, after oversampling`,
      ],
      ['class_distribution_test.png', balanced.testCounts, `Test part of ${load.name}`],
    ];
    for (const [name, counts, title] of charts)
      await mlflow.uploadArtifact(
        run,
        `charts/${name}`,
        renderClassDistributionPng(counts, title),
        'image/png',
      );
    await mlflow.uploadArtifact(
      run,
      `dataset/${path.basename(request.file)}`,
      parquet,
      'application/octet-stream',
    );
    await mlflow.endRun(run.runId, 'FINISHED');
    progress('mlflow-run-logged', { run_id: run.runId, experiment: datasetVersioningExperiment });
    return result;
  } catch (error) {
    await mlflow.endRun(run.runId, 'FAILED').catch(() => {});
    throw error;
  }
}
