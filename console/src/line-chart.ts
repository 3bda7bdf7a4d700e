import { niceTicks } from './bar-chart.js';
import { type Html, html } from './html.js';

export interface LineSeries {
  label: string;
  colour: string;
  /** Points in time order; a null value is a gap. */
  points: readonly { at: Date; value: number | null }[];
  /** Dashed, for reference levels (e.g. an offline score). */
  dashed?: boolean;
}

export interface LineChartOptions {
  title: string;
  /** The y axis title, with its unit. */
  axisLabel: string;
  series: readonly LineSeries[];
  from: Date;
  to: Date;
  /** The y axis end; the largest value rounded up when unset. */
  max?: number;
  format: (value: number) => string;
  formatTime: (at: Date) => string;
  width?: number;
}

const left = 70;
const right = 16;
const top = 34;
const plotHeight = 220;

/**
 * A line chart over time as SVG: title, a polyline with point markers per series (each series
 * labelled in a legend under the plot, so colour is never the only cue), y axis with ticks and
 * unit, the window's start and end on the x axis. The aria-label says what each series shows.
 */
export function lineChart(options: LineChartOptions): Html {
  const { title, series, format } = options;
  const width = options.width ?? 720;
  const plotWidth = width - left - right;
  const values = series.flatMap((line) => line.points.flatMap((point) => point.value ?? []));
  const ticks = niceTicks(options.max ?? Math.max(0, ...values));
  const yMax = ticks.at(-1) ?? 1;
  const span = Math.max(1, options.to.getTime() - options.from.getTime());
  const round = (value: number) => Math.round(value * 10) / 10;
  const x = (at: Date) => round(left + ((at.getTime() - options.from.getTime()) / span) * plotWidth);
  const y = (value: number) => round(top + plotHeight - (value / yMax) * plotHeight);
  const legendTop = top + plotHeight + 52;
  const height = legendTop + series.length * 20 + 4;
  const description = series
    .map((line) => {
      const shown = line.points.filter((point) => point.value !== null);
      if (shown.length === 0) return `${line.label}: no value`;
      const last = shown.at(-1);
      return `${line.label}: ${shown.length} points, last ${format(last?.value ?? 0)} at ${options.formatTime(last?.at ?? options.to)}`;
    })
    .join('; ');
  const segments = (line: LineSeries) => {
    const runs: string[][] = [[]];
    for (const point of line.points) {
      if (point.value === null) runs.push([]);
      else runs.at(-1)?.push(`${x(point.at)},${y(point.value)}`);
    }
    return runs.filter((run) => run.length > 1);
  };
  return html`<svg class="chart line-chart" viewBox="0 0 ${width} ${height}" width="100%" role="img" aria-label="${title}. ${description}" xmlns="http://www.w3.org/2000/svg">
<title>${title}</title>
<text x="0" y="18" class="chart-title">${title}</text>
${ticks.map(
  (tick) => html`<line x1="${left}" x2="${left + plotWidth}" y1="${y(tick)}" y2="${y(tick)}" class="grid"/>
<text x="${left - 6}" y="${y(tick) + 4}" text-anchor="end" class="tick">${format(tick)}</text>`,
)}
<line x1="${left}" x2="${left}" y1="${top}" y2="${top + plotHeight}" class="axis"/>
<line x1="${left}" x2="${left + plotWidth}" y1="${top + plotHeight}" y2="${top + plotHeight}" class="axis"/>
<text x="${left}" y="${top + plotHeight + 16}" class="tick">${options.formatTime(options.from)}</text>
<text x="${left + plotWidth}" y="${top + plotHeight + 16}" text-anchor="end" class="tick">${options.formatTime(options.to)}</text>
<text x="${left + plotWidth / 2}" y="${top + plotHeight + 36}" text-anchor="middle" class="axis-label">time (UTC)</text>
<text transform="translate(14 ${top + plotHeight / 2}) rotate(-90)" text-anchor="middle" class="axis-label">${options.axisLabel}</text>
${series.map(
  (line) => html`<g stroke="${line.colour}" fill="${line.colour}">
${segments(line).map(
  (run) =>
    html`<polyline points="${run.join(' ')}" fill="none" stroke-width="2"${line.dashed ? html` stroke-dasharray="6 4"` : ''}/>`,
)}
${line.points.map((point) =>
  point.value === null
    ? ''
    : line.dashed
      ? ''
      : html`<circle cx="${x(point.at)}" cy="${y(point.value)}" r="3"/>`,
)}</g>`,
)}
${series.map(
  (
    line,
    index,
  ) => html`<line x1="${left}" x2="${left + 28}" y1="${legendTop + index * 20 - 4}" y2="${legendTop + index * 20 - 4}" stroke="${line.colour}" stroke-width="2"${line.dashed ? html` stroke-dasharray="6 4"` : ''}/>
<text x="${left + 36}" y="${legendTop + index * 20}" class="tick">${line.label}</text>`,
)}
</svg>`;
}
