import { autoPromoteDefaults, hyperparameterDefaults, latestDataVersion } from '@prodclass/api/defaults';
import type { TrainingRun } from '@prodclass/api/resources';
import { classCodeOfMetric, metricKey } from '@prodclass/registry/contract/metric-keys';
import type { RunDetails } from '@prodclass/registry/mlflow/client';
import { classByCode } from '@prodclass/textmodel/classes';
import { horizontalBarChart, palette } from '../bar-chart.js';
import { type Html, html } from '../html.js';
import { actionForm, formatTime, layout, type PageContext } from './layout.js';
import { trainingRunRow } from './rows.js';

/** The form's starting values: a TrainingRun's defaults. */
const formDefaults = {
  dataVersion: latestDataVersion,
  maxFeatures: hyperparameterDefaults.maxFeatures,
  c: hyperparameterDefaults.c,
  minF1: autoPromoteDefaults.minF1,
};

function trainingForm(context: PageContext): Html {
  return actionForm(
    context,
    '/actions/training-run',
    html`<fieldset><legend>New TrainingRun</legend>
<div class="fields">
<label>Data version <input name="dataVersion" value="${formDefaults.dataVersion}" required maxlength="253"></label>
<label>Max features <input name="maxFeatures" type="number" min="1" max="1000000" step="1" value="${formDefaults.maxFeatures}" required></label>
<label>C (inverse regularization) <input name="c" type="number" min="0.0001" max="10000" step="any" value="${formDefaults.c}" required></label>
<label>Minimum weighted F1 <input name="minF1" type="number" min="0" max="1" step="0.01" value="${formDefaults.minF1}" required></label>
<label class="check"><input name="autoPromote" type="checkbox" value="true" checked> Promote automatically when it beats the champion</label>
</div></fieldset>`,
    'Train',
    'training-form',
  );
}

export function trainingPage(context: PageContext, runs: TrainingRun[]): Html {
  return layout(
    context,
    '/training',
    'Training',
    html`${trainingForm(context)}
<section aria-labelledby="runs"><h2 id="runs">TrainingRuns</h2>
${runsTable(`TrainingRun resources, newest first (${runs.length}); status updates live`, runs, false)}</section>`,
  );
}

/** The runs' table; a `fixed` one (a run's own page) updates its rows live but takes no new ones. */
function runsTable(caption: string, runs: TrainingRun[], fixed: boolean): Html {
  return html`<table><caption>${caption}</caption>
<thead><tr><th scope="col">Name</th><th scope="col">Phase</th><th scope="col">Data</th><th scope="col" class="num">Max features</th>
<th scope="col" class="num">C</th><th scope="col" class="num">F1 (weighted)</th><th scope="col" class="num">Version</th>
<th scope="col">Promotion</th><th scope="col">MLflow</th></tr></thead>
<tbody data-kind="TrainingRun"${fixed ? html` data-fixed` : ''}>${runs.map(trainingRunRow)}</tbody></table>`;
}

const summaryMetrics = [
  ['accuracy', 'Accuracy'],
  ['f1_weighted', 'F1 (weighted)'],
  ['f1_macro', 'F1 (macro)'],
  ['precision_weighted', 'Precision (weighted)'],
  ['recall_weighted', 'Recall (weighted)'],
] as const;

function metricsTable(run: RunDetails): Html {
  const value = (key: string) => {
    const metric = run.metrics[key];
    return metric === undefined ? '—' : metric.toFixed(4);
  };
  return html`<table class="compact"><caption>Metrics of MLflow run <code>${run.runId}</code></caption>
<thead><tr><th scope="col">Metric</th><th scope="col" class="num">Held-out test</th><th scope="col" class="num">Train</th></tr></thead>
<tbody>${summaryMetrics.map(
    ([key, label]) =>
      html`<tr><th scope="row">${label}</th><td class="num">${value(metricKey('test', key))}</td><td class="num">${value(metricKey('train', key))}</td></tr>`,
  )}</tbody></table>`;
}

function perClassChart(run: RunDetails): Html {
  const bars = Object.entries(run.metrics)
    .flatMap(([key, value]) => {
      const code = classCodeOfMetric(key, 'test', 'f1');
      return code === undefined ? [] : [{ code, value }];
    })
    .sort((a, b) => b.value - a.value)
    .map(({ code, value }) => ({
      label: `${classByCode(code)?.name ?? 'unknown'} (${code})`,
      value,
      colour: value < 0.5 ? palette.vermillion : palette.blue,
    }));
  if (bars.length === 0) return html``;
  return horizontalBarChart({
    title: 'F1 per class on the held-out test set (below 0.5 in vermillion)',
    axisLabel: 'F1 score (0 to 1)',
    bars,
    max: 1,
    format: (value) => value.toFixed(2),
  });
}

export interface RunPageModel {
  run: TrainingRun;
  mlflow: RunDetails | undefined;
  mlflowUrl: string | undefined;
  /** Why MLflow's side is missing, when it is. */
  mlflowProblem: string | undefined;
}

export function runPage(context: PageContext, model: RunPageModel): Html {
  const { run, mlflow } = model;
  const spec = run.spec;
  const hyper = spec.hyperparameters;
  return layout(
    context,
    '/training',
    `TrainingRun ${run.metadata.name}`,
    html`${runsTable('Status; updates live', [run], true)}
<table class="compact"><caption>Resource</caption><tbody>
<tr><th scope="row">Hyperparameters</th><td>max features ${hyper?.maxFeatures}, C ${hyper?.c}, n-grams 1–${hyper?.ngramMax}, min df ${hyper?.minDf}, max df ${hyper?.maxDf}, seed ${hyper?.seed}</td></tr>
<tr><th scope="row">Auto-promotion</th><td>${spec.autoPromote?.enabled ? `to @${spec.autoPromote.alias} when weighted F1 ≥ ${spec.autoPromote.minF1} and it beats the champion` : 'off'}</td></tr>
<tr><th scope="row">Model version</th><td>${run.status?.modelVersion ? `${spec.registeredModel} v${run.status.modelVersion}` : '—'}</td></tr>
<tr><th scope="row">Decision</th><td>${run.status?.promotion?.decision ?? '—'} ${run.status?.promotion?.reason ?? ''}</td></tr>
<tr><th scope="row">Started / completed</th><td>${formatTime(run.status?.startTime)} / ${formatTime(run.status?.completionTime)}</td></tr>
<tr><th scope="row">MLflow</th><td>${model.mlflowUrl ? html`<a href="${model.mlflowUrl}">open the run in MLflow</a>` : (model.mlflowProblem ?? 'no run yet')}</td></tr>
</tbody></table>
${
  mlflow
    ? html`<section aria-labelledby="metrics"><h2 id="metrics">Metrics</h2>${metricsTable(mlflow)}${perClassChart(mlflow)}</section>
<section aria-labelledby="artifacts"><h2 id="artifacts">Evaluation artifacts</h2>
<figure><img src="/training/artifacts/${mlflow.runId}/confusion_matrix.png" alt="Confusion matrix of the held-out test set: true class by row, predicted class by column" width="900"><figcaption>Confusion matrix (held-out test set), from the run's <code>evaluation/confusion_matrix.png</code></figcaption></figure>
<figure><img src="/training/artifacts/${mlflow.runId}/class_distribution.png" alt="Number of training products per class" width="900"><figcaption>Training classes, from the run's <code>data/class_distribution.png</code></figcaption></figure>
</section>`
    : ''
}`,
  );
}
