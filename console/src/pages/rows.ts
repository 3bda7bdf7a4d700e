import { defaultAlias } from '@prodclass/api/defaults';
import type { DataIncrement, ModelPromotion, PredictionService, TrainingRun } from '@prodclass/api/resources';
import type { KubeObject } from '@prodclass/kube/objects';
import { type Html, html } from '../html.js';
import { formatTime, phaseBadge } from './layout.js';

type Conditions = { type: string; status: string; reason: string; message: string }[] | undefined;

export const conditionOf = (conditions: Conditions, type: string) => conditions?.find((c) => c.type === type);

const number = (value: number | undefined) => (value === undefined ? '—' : value.toLocaleString('en-US'));
const score = (value: number | undefined) => (value === undefined ? '—' : value.toFixed(3));

/** The message of the first condition that is not True: why an object is not done (or failed). */
function blocker(conditions: Conditions): string {
  const open = conditions?.find((c) => c.status !== 'True' && c.message);
  return open ? `${open.reason}: ${open.message}` : '';
}

function renderDataIncrementRow(item: DataIncrement): Html {
  const { status } = item;
  const key = `DataIncrement/${item.metadata.name}`;
  return html`<tr data-key="${key}">
<th scope="row">${item.metadata.name}</th>
<td>${phaseBadge(status?.phase)}</td>
<td class="nowrap">${status?.dataVersion ?? status?.loadName ?? item.spec.dataVersion ?? item.spec.loadName ?? '—'}</td>
<td class="num">${status?.percentage === undefined ? '—' : `${status.percentage}%`}</td>
<td class="num">${number(status?.rowsAdded)}</td>
<td class="num">${number(status?.totalRows)}</td>
<td><code title="${status?.datasetFingerprint ?? ''}">${status?.datasetFingerprint?.slice(0, 12) ?? '—'}</code></td>
<td>${status?.phase === 'Failed' ? blocker(status.conditions) : formatTime(status?.completionTime)}</td>
</tr>`;
}

function renderTrainingRunRow(item: TrainingRun): Html {
  const { status, spec } = item;
  const name = item.metadata.name;
  const promotion = status?.promotion;
  return html`<tr data-key="TrainingRun/${name}">
<th scope="row"><a href="/training/runs/${encodeURIComponent(name)}">${name}</a></th>
<td>${phaseBadge(status?.phase)}</td>
<td class="nowrap">${status?.dataVersion ?? spec.dataVersion}</td>
<td class="num">${number(spec.hyperparameters?.maxFeatures)}</td>
<td class="num">${spec.hyperparameters?.c ?? '—'}</td>
<td class="num">${score(status?.metrics?.f1Weighted)}</td>
<td class="num">${status?.modelVersion ? `v${status.modelVersion}` : '—'}</td>
<td>${promotion?.decision ? html`<strong>${promotion.decision}</strong> ${promotion.reason ?? ''}` : status?.phase === 'Failed' ? blocker(status.conditions) : '—'}</td>
<td>${status?.mlflowRunId ? html`<a href="/training/mlflow/${encodeURIComponent(status.mlflowRunId)}">MLflow run</a>` : '—'}</td>
</tr>`;
}

type RolloutStep = NonNullable<NonNullable<ModelPromotion['status']>['rollout']>['step'];

/** A Progressive rollout's step, as the operator's conditions name it: `shadow 100%`, `canary 10%`. */
function rolloutStep(step: RolloutStep): string {
  if (step.name === 'shadow') return `shadow ${step.shadowPercent}%`;
  if (step.name === 'canary') return `canary ${step.canaryWeight}%`;
  return step.name;
}

function renderModelPromotionRow(item: ModelPromotion): Html {
  const { status, spec } = item;
  const ready = conditionOf(status?.conditions, 'Ready');
  return html`<tr data-key="ModelPromotion/${item.metadata.name}">
<th scope="row">${item.metadata.name}</th>
<td class="num">v${spec.version}</td>
<td>${spec.alias}</td>
<td>${phaseBadge(status?.phase)}${status?.phase === 'Progressing' && status.rollout ? html` ${rolloutStep(status.rollout.step)}` : ''}</td>
<td class="num">${status?.previousVersion ? `v${status.previousVersion}` : '—'}</td>
<td>${status?.phase === 'Failed' ? html`<strong>${ready?.reason ?? 'Failed'}</strong>: ${ready?.message ?? ''}` : (spec.reason ?? '')}</td>
<td>${formatTime(status?.promotedAt)}</td>
</tr>`;
}

function track(
  selector: { alias?: string; version?: number } | undefined,
  served: string | undefined,
): string {
  if (!selector) return '—';
  const wanted =
    selector.version !== undefined ? `v${selector.version} (pinned)` : `@${selector.alias ?? ''}`;
  return served ? `${wanted} → v${served}` : wanted;
}

/** The replicas a service asks for: fixed counts, or its autoscaler's range per track. */
function wantedReplicas(spec: PredictionService['spec']): string {
  if (spec.autoscaling) return `${spec.autoscaling.minReplicas}–${spec.autoscaling.maxReplicas} per track`;
  return String(spec.replicas + (spec.canary?.replicas ?? 0));
}

function renderPredictionServiceRow(item: PredictionService): Html {
  const { status, spec } = item;
  const ready = conditionOf(status?.conditions, 'Ready');
  const state = ready?.status === 'True' ? 'Ready' : ready ? 'NotReady' : 'Pending';
  return html`<tr data-key="PredictionService/${item.metadata.name}">
<th scope="row">${item.metadata.name}</th>
<td>${spec.registeredModel}</td>
<td>${track({ alias: spec.alias ?? (spec.version === undefined ? defaultAlias : undefined), version: spec.version }, status?.servedVersion)}</td>
<td>${spec.canary ? track(spec.canary, status?.canaryVersion) : 'none'}</td>
<td class="num">${status?.readyReplicas ?? 0} / ${wantedReplicas(spec)}</td>
<td>${phaseBadge(state)} ${ready?.message ?? ''}</td>
</tr>`;
}

/**
 * Rows rendered once per object version: the watch cache replaces an object when it changes, so
 * a row cached against the object itself is never stale, and a page of 1,000 rows is mostly joins.
 */
function memoized<T extends KubeObject>(render: (item: T) => Html): (item: T) => Html {
  const rows = new WeakMap<T, Html>();
  return (item) => {
    let row = rows.get(item);
    if (!row) {
      row = render(item);
      rows.set(item, row);
    }
    return row;
  };
}

export const dataIncrementRow = memoized(renderDataIncrementRow);
export const trainingRunRow = memoized(renderTrainingRunRow);
export const modelPromotionRow = memoized(renderModelPromotionRow);
export const predictionServiceRow = memoized(renderPredictionServiceRow);

/** The table row of a changed object, for the live stream; undefined for kinds without rows. */
export function rowOf(kind: string, object: KubeObject): Html | undefined {
  switch (kind) {
    case 'DataIncrement':
      return dataIncrementRow(object as DataIncrement);
    case 'TrainingRun':
      return trainingRunRow(object as TrainingRun);
    case 'ModelPromotion':
      return modelPromotionRow(object as ModelPromotion);
    case 'PredictionService':
      return predictionServiceRow(object as PredictionService);
    default:
      return undefined;
  }
}
