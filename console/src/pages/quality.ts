import type { LiveQuality } from '@prodclass/catalog/quality/live-quality';
import type { AccuracyPoint, Confusion, SeriesStep } from '@prodclass/catalog/quality/live-quality-details';
import { classByCode } from '@prodclass/textmodel/classes';
import { palette } from '../bar-chart.js';
import type { ConfusionTerms } from '../error-terms.js';
import { type Html, html } from '../html.js';
import { lineChart } from '../line-chart.js';
import { formatTime, layout, type PageContext } from './layout.js';

/** The windows the page offers, in days. */
export const qualityWindows = [1, 7, 30] as const;

export interface QualityPageModel {
  registeredModel: string;
  days: number;
  step: SeriesStep;
  from: Date;
  to: Date;
  /** The live-quality report's versions over the whole window. */
  versions: LiveQuality[];
  series: AccuracyPoint[];
  /** Version → its run's test_accuracy; absent when the run has none or MLflow could not be read. */
  offlineAccuracy: Map<string, number>;
  registryProblem?: string;
  /** The version whose confusion matrix and error terms are shown. */
  selected: string | undefined;
  confusions: Confusion[];
  errorTerms: { terms: ConfusionTerms[] } | { problem: string };
  perConfusion: number;
}

const versionColours = [
  palette.blue,
  palette.vermillion,
  palette.green,
  palette.purple,
  palette.orange,
  palette.sky,
];
const percent = (value: number | null | undefined) =>
  value === null || value === undefined ? '—' : `${(value * 100).toFixed(1)}%`;
const className = (code: number) => classByCode(code)?.name ?? 'unknown class';
const stepTime = (step: SeriesStep) => (at: Date) =>
  step === 'day' ? at.toISOString().slice(0, 10) : formatTime(at.toISOString()).replace(/:00 UTC$/, ' UTC');

function windowChooser(model: QualityPageModel): Html {
  const versions = model.versions.map((version) => version.modelVersion);
  return html`<form method="get" action="/quality" class="inline-action">
<label>Window <select name="days">${qualityWindows.map(
    (days) =>
      html`<option value="${days}"${days === model.days ? html` selected` : ''}>last ${days === 1 ? '24 hours' : `${days} days`}</option>`,
  )}</select></label>
${
  versions.length
    ? html`<label>Confusions of <select name="version">${versions.map(
        (version) =>
          html`<option value="${version}"${version === model.selected ? html` selected` : ''}>v${version}</option>`,
      )}</select></label>`
    : ''
}
<button type="submit">Show</button></form>`;
}

function versionsTable(model: QualityPageModel): Html {
  if (model.versions.length === 0)
    return html`<p>No prediction of <code>${model.registeredModel}</code> was logged in this window.</p>`;
  return html`<table><caption>Live quality of each version of <code>${model.registeredModel}</code> over the window (predictions made from ${formatTime(model.from.toISOString())} to ${formatTime(model.to.toISOString())})</caption>
<thead><tr><th scope="col" class="num">Version</th><th scope="col" class="num">Served</th><th scope="col" class="num">Labeled</th>
<th scope="col" class="num">Label coverage</th><th scope="col" class="num">Live accuracy</th><th scope="col" class="num">Offline test accuracy</th>
<th scope="col" class="num">Live − offline</th><th scope="col" class="num">Weighted F1 (live)</th><th scope="col" class="num">Label lag p50</th></tr></thead>
<tbody>${model.versions.map((version) => {
    const offline = model.offlineAccuracy.get(version.modelVersion);
    const gap = version.accuracy !== null && offline !== undefined ? version.accuracy - offline : undefined;
    return html`<tr><th scope="row" class="num">v${version.modelVersion}</th><td class="num">${version.served.toLocaleString('en-US')}</td>
<td class="num">${version.labeled.toLocaleString('en-US')}</td><td class="num">${percent(version.coverage)}</td>
<td class="num">${percent(version.accuracy)}</td><td class="num">${percent(offline)}</td>
<td class="num">${gap === undefined ? '—' : `${gap >= 0 ? '+' : '−'}${Math.abs(gap * 100).toFixed(1)} points`}</td>
<td class="num">${percent(version.weightedF1)}</td>
<td class="num">${version.labelLagP50Seconds === null ? '—' : formatLag(version.labelLagP50Seconds)}</td></tr>`;
  })}</tbody></table>`;
}

function formatLag(seconds: number): string {
  if (seconds < 120) return `${seconds.toFixed(0)} s`;
  if (seconds < 7_200) return `${(seconds / 60).toFixed(0)} min`;
  if (seconds < 172_800) return `${(seconds / 3_600).toFixed(1)} h`;
  return `${(seconds / 86_400).toFixed(1)} days`;
}

function accuracyOverTime(model: QualityPageModel): Html {
  if (model.series.length === 0) return html``;
  const versions = [...new Set(model.series.map((point) => point.modelVersion))];
  const format = stepTime(model.step);
  const series = versions.flatMap((version, index) => {
    const colour = versionColours[index % versionColours.length] as string;
    const live = {
      label: `v${version} live accuracy (per ${model.step})`,
      colour,
      points: model.series
        .filter((point) => point.modelVersion === version)
        .map((point) => ({ at: point.at, value: point.accuracy === null ? null : point.accuracy * 100 })),
    };
    const offline = model.offlineAccuracy.get(version);
    return offline === undefined
      ? [live]
      : [
          live,
          {
            label: `v${version} offline test accuracy`,
            colour,
            dashed: true,
            points: [
              { at: model.from, value: offline * 100 },
              { at: model.to, value: offline * 100 },
            ],
          },
        ];
  });
  const chart = lineChart({
    title: `Live and offline accuracy per version, per ${model.step}`,
    axisLabel: 'accuracy (%)',
    series,
    from: model.from,
    to: model.to,
    max: 100,
    format: (value) => `${value.toFixed(0)}%`,
    formatTime: format,
  });
  const rows = model.series.map(
    (point) => html`<tr><th scope="row">${format(point.at)}</th><td class="num">v${point.modelVersion}</td>
<td class="num">${point.served.toLocaleString('en-US')}</td><td class="num">${point.labeled.toLocaleString('en-US')}</td>
<td class="num">${percent(point.served > 0 ? point.labeled / point.served : null)}</td><td class="num">${percent(point.accuracy)}</td>
<td class="num">${percent(model.offlineAccuracy.get(point.modelVersion))}</td></tr>`,
  );
  return html`<figure>${chart}<figcaption>Solid: live accuracy of the predictions made in each ${model.step} (labeled ones only; a gap where none is labeled). Dashed: the version's test accuracy at training.</figcaption></figure>
<details><summary>The chart's numbers as a table</summary>
<table id="accuracy-table"><caption>Live accuracy per version and ${model.step}</caption>
<thead><tr><th scope="col">${model.step === 'day' ? 'Day (UTC)' : 'Hour (UTC)'}</th><th scope="col" class="num">Version</th><th scope="col" class="num">Served</th>
<th scope="col" class="num">Labeled</th><th scope="col" class="num">Coverage</th><th scope="col" class="num">Live accuracy</th><th scope="col" class="num">Offline test accuracy</th></tr></thead>
<tbody>${rows}</tbody></table></details>`;
}

/** A cell's share of its row (true class): binned so the shading is a class, never an inline style. */
function shade(count: number, rowTotal: number): number {
  const share = rowTotal > 0 ? count / rowTotal : 0;
  return share >= 0.6 ? 3 : share >= 0.25 ? 2 : share > 0 ? 1 : 0;
}

function confusionMatrix(model: QualityPageModel): Html {
  if (!model.selected) return html`<p>No version to show.</p>`;
  if (model.confusions.length === 0)
    return html`<p>No prediction of v${model.selected} made in this window has a label yet.</p>`;
  const trueCodes = [...new Set(model.confusions.map((cell) => cell.prdtypecode))].sort((a, b) => a - b);
  const predictedCodes = [...new Set(model.confusions.map((cell) => cell.predictedCode))].sort(
    (a, b) => a - b,
  );
  const count = new Map(
    model.confusions.map((cell) => [`${cell.prdtypecode}:${cell.predictedCode}`, cell.labels]),
  );
  return html`<div class="table-scroll" tabindex="0" role="region" aria-labelledby="confusion-caption">
<table class="confusion"><caption id="confusion-caption">Labels of v${model.selected}'s predictions in the window: rows are the true code, columns the predicted code; the diagonal is right. Shading: the cell's share of its row (under 25%, 25–60%, 60% or more).</caption>
<thead><tr><th scope="col">True ↓ / predicted →</th>${predictedCodes.map(
    (code) => html`<th scope="col" class="num"><abbr title="${className(code)}">${code}</abbr></th>`,
  )}<th scope="col" class="num">Labels</th></tr></thead>
<tbody>${trueCodes.map((trueCode) => {
    const total = predictedCodes.reduce((sum, code) => sum + (count.get(`${trueCode}:${code}`) ?? 0), 0);
    return html`<tr><th scope="row">${trueCode} ${className(trueCode)}</th>${predictedCodes.map((code) => {
      const cell = count.get(`${trueCode}:${code}`) ?? 0;
      const kind = code === trueCode ? 'hit' : 'miss';
      return html`<td class="num cm-${kind}-${shade(cell, total)}">${cell ? cell.toLocaleString('en-US') : ''}</td>`;
    })}<td class="num">${total.toLocaleString('en-US')}</td></tr>`;
  })}</tbody></table></div>`;
}

function errorTermsView(model: QualityPageModel): Html {
  if (!model.selected) return html``;
  if ('problem' in model.errorTerms) return html`<p class="problem">${model.errorTerms.problem}</p>`;
  const terms = model.errorTerms.terms;
  if (terms.length === 0) return html`<p>No labeled error of v${model.selected} in this window.</p>`;
  return html`<p>For the most frequent confusions of v${model.selected}, the newest ${model.perConfusion} mislabeled predictions of each are read from the inference log (designation up to 300 characters, description up to 1,000, as logged) and explained exactly by v${model.selected}'s own bundle: each term's contribution (weight × TF-IDF, logit units) to the wrong class, summed over the texts it occurs in.</p>
<table id="error-terms"><caption>Terms behind the most frequent live errors of v${model.selected}</caption>
<thead><tr><th scope="col">Predicted (wrong)</th><th scope="col">True</th><th scope="col" class="num">Labels</th><th scope="col" class="num">Texts explained</th>
<th scope="col">Terms that pushed the wrong class most (summed contribution; texts)</th></tr></thead>
<tbody>${terms.map(
    (entry) => html`<tr><th scope="row">${entry.predictedCode} ${className(entry.predictedCode)}</th>
<td>${entry.prdtypecode} ${className(entry.prdtypecode)}</td><td class="num">${entry.labels.toLocaleString('en-US')}</td>
<td class="num">${entry.explained}</td>
<td>${
      entry.terms.length
        ? html`<ul class="error-terms">${entry.terms.map(
            (term) =>
              html`<li><span class="word-up-1">${term.feature}</span> +${term.contribution.toFixed(2)} (${term.texts})</li>`,
          )}</ul>`
        : '—'
    }</td></tr>`,
  )}</tbody></table>`;
}

export function qualityPage(context: PageContext, model: QualityPageModel): Html {
  return layout(
    context,
    '/quality',
    'Quality',
    html`<p>Ground truth for served predictions: labels sent to the model servers' <code>/feedback</code>, loaded with
<code>prodclass feedback load</code> or brought by later catalog loads (<code>docs/quality.md</code> gives each formula).</p>
${windowChooser(model)}
${model.registryProblem ? html`<p class="problem">${model.registryProblem}</p>` : ''}
<section aria-labelledby="live-versions"><h2 id="live-versions">Per version</h2>${versionsTable(model)}</section>
<section aria-labelledby="over-time"><h2 id="over-time">Accuracy over time</h2>${accuracyOverTime(model)}</section>
<section aria-labelledby="confusions"><h2 id="confusions">Confusion matrix from live labels</h2>${confusionMatrix(model)}</section>
<section aria-labelledby="error-terms-heading"><h2 id="error-terms-heading">Terms behind the most frequent live errors</h2>${errorTermsView(model)}</section>`,
  );
}
