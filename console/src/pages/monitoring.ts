import { autoPromoteDefaults, hyperparameterDefaults, latestDataVersion } from '@prodclass/api/defaults';
import type { DriftMonitor, PredictionService } from '@prodclass/api/resources';
import { type DriftAcknowledgement, driftActions } from '@prodclass/catalog/drift/report-store';
import { type Html, html } from '../html.js';
import type { ServiceTraffic } from '../prometheus.js';
import { actionForm, formatTime, layout, type PageContext, phaseBadge } from './layout.js';
import { conditionOf, predictionServiceRow } from './rows.js';

export interface TrafficState {
  /** Why there are no numbers: Prometheus not configured or unreachable. */
  problem?: string;
  services: ServiceTraffic[];
  at: string;
}

/** The body of the traffic table; the live stream replaces it with a fresh one. */
export function trafficRows(traffic: TrafficState): Html {
  if (traffic.problem) return html`<tr><td colspan="3">${traffic.problem}</td></tr>`;
  if (traffic.services.length === 0)
    return html`<tr><td colspan="3">No /predict request in the last 5 minutes (as of ${formatTime(traffic.at)}).</td></tr>`;
  return html`${traffic.services.map(
    (entry) => html`<tr><th scope="row">${entry.service}</th>
<td class="num">${entry.requestsPerSecond === undefined ? '—' : entry.requestsPerSecond.toFixed(2)}</td>
<td class="num">${entry.p95Seconds === undefined ? '—' : (entry.p95Seconds * 1000).toFixed(1)}</td></tr>`,
  )}`;
}

/** The acknowledgements of each report shown, by report id (read from drift_acknowledgements). */
export type Acknowledgements = Map<string, DriftAcknowledgement[]>;

/**
 * What people can do about a report: acknowledge it (a DriftAcknowledgement, which the operator
 * records in drift_acknowledgements; the console does not write the database), retrain (a
 * TrainingRun) or roll back (a ModelPromotion, from the Models page).
 */
function reportActions(
  context: PageContext,
  monitor: string,
  reportId: string,
  acknowledgements: DriftAcknowledgement[],
): Html {
  return html`<div class="drift-actions">
${
  acknowledgements.length
    ? html`<table class="compact"><caption>Acknowledgements of report ${reportId}</caption>
<thead><tr><th scope="col">When</th><th scope="col">Action</th><th scope="col">By</th><th scope="col">Reason</th></tr></thead>
<tbody>${acknowledgements.map(
        (ack) =>
          html`<tr><td>${formatTime(ack.acknowledgedAt.toISOString())}</td><td>${ack.action}</td><td>${ack.by}</td><td>${ack.reason ?? ''}</td></tr>`,
      )}</tbody></table>`
    : html`<p>Not acknowledged yet.</p>`
}
${actionForm(
  context,
  '/actions/drift-acknowledgement',
  html`<input type="hidden" name="driftMonitor" value="${monitor}"><input type="hidden" name="report" value="${reportId}">
<label>Action <select name="action" required>${driftActions.map(
    (action) => html`<option value="${action}">${action}</option>`,
  )}</select></label>
<label class="wide">Reason <input name="reason" maxlength="1024"></label>`,
  'Acknowledge',
)}
${actionForm(
  context,
  '/actions/training-run',
  html`<input type="hidden" name="dataVersion" value="${latestDataVersion}"><input type="hidden" name="maxFeatures" value="${hyperparameterDefaults.maxFeatures}">
<input type="hidden" name="c" value="${hyperparameterDefaults.c}"><input type="hidden" name="minF1" value="${autoPromoteDefaults.minF1}"><input type="hidden" name="autoPromote" value="true">`,
  'Retrain on the latest data',
  'inline-action',
)}
<p><a href="/models#promote">Roll back the model</a></p>
</div>`;
}

function driftSection(
  context: PageContext,
  monitors: DriftMonitor[] | undefined,
  acknowledgements: Acknowledgements,
): Html {
  if (monitors === undefined)
    return html`<p class="problem">This cluster's API server does not serve the DriftMonitor resource yet (the operator's drift
monitoring is not installed), so there are no drift reports to show.</p>`;
  if (monitors.length === 0) return html`<p>No DriftMonitor in this namespace.</p>`;
  return html`${monitors.map((monitor) => {
    const status = monitor.status;
    const report = status?.lastReport;
    const ready = conditionOf(status?.conditions, 'Ready');
    return html`<table class="compact"><caption>DriftMonitor <strong>${monitor.metadata.name}</strong>
(PredictionService ${monitor.spec?.predictionService ?? '—'}, schedule ${monitor.spec?.schedule ?? '—'})</caption>
<tbody>
<tr><th scope="row">Severity</th><td>${phaseBadge(status?.severity ?? 'Pending')} ${ready && ready.status !== 'True' ? `${ready.reason}: ${ready.message}` : ''}</td></tr>
<tr><th scope="row">Last check / next</th><td>${formatTime(status?.lastCheckTime)} / ${formatTime(status?.nextCheckTime)}</td></tr>
<tr><th scope="row">Latest report</th><td>${report ? `${report.outcome ?? '—'}: ${report.currentSamples ?? 0} predictions against ${report.referenceSamples ?? 0} reference rows (report ${report.id ?? '—'} in drift_reports)` : '—'}</td></tr>
<tr><th scope="row">Retraining</th><td>${status?.lastTrainingRun ? `last TrainingRun ${status.lastTrainingRun}` : 'none so far'}</td></tr>
</tbody></table>
${
  report?.tests?.length
    ? html`<table><caption>Tests of the latest report</caption>
<thead><tr><th scope="col">Feature</th><th scope="col">Test</th><th scope="col" class="num">Statistic</th><th scope="col" class="num">p-value</th><th scope="col">Severity</th></tr></thead>
<tbody>${report.tests.map(
        (line) => html`<tr><td>${line.feature ?? '—'}</td><td>${line.test ?? '—'}</td>
<td class="num">${line.statistic?.toFixed(4) ?? '—'}</td><td class="num">${line.pValue?.toExponential(2) ?? '—'}</td>
<td>${phaseBadge(line.severity ?? 'OK')}</td></tr>${
          line.unknownWords?.length
            ? html`<tr><td colspan="5">New words (absent from the reference window): ${line.unknownWords
                .map(({ word, count }) => `${word} (${count})`)
                .join(', ')}</td></tr>`
            : ''
        }`,
      )}</tbody></table>`
    : ''
}
${report?.id ? reportActions(context, monitor.metadata.name, report.id, acknowledgements.get(report.id) ?? []) : ''}`;
  })}`;
}

export function monitoringPage(
  context: PageContext,
  services: PredictionService[],
  traffic: TrafficState,
  driftMonitors: DriftMonitor[] | undefined,
  acknowledgements: Acknowledgements,
): Html {
  return layout(
    context,
    '/monitoring',
    'Monitoring',
    html`<section aria-labelledby="services"><h2 id="services">PredictionServices</h2>
<table><caption>PredictionService resources: tracks, replicas and readiness; status updates live</caption>
<thead><tr><th scope="col">Name</th><th scope="col">Model</th><th scope="col">Primary track</th><th scope="col">Canary track</th>
<th scope="col" class="num">Ready replicas</th><th scope="col">Ready</th></tr></thead>
<tbody data-kind="PredictionService">${services.map(predictionServiceRow)}</tbody></table></section>
<section aria-labelledby="traffic"><h2 id="traffic">Traffic</h2>
<table><caption>/predict over the last 5 minutes, from Prometheus; refreshed every 15 seconds</caption>
<thead><tr><th scope="col">Service</th><th scope="col" class="num">Requests per second</th><th scope="col" class="num">p95 latency (ms)</th></tr></thead>
<tbody id="traffic-rows">${trafficRows(traffic)}</tbody></table></section>
<section aria-labelledby="drift"><h2 id="drift">Drift</h2>${driftSection(context, driftMonitors, acknowledgements)}</section>`,
  );
}
