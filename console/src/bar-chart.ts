import { type Html, html } from './html.js';

/** Okabe & Ito's palette, distinguishable with every common colour-vision deficiency. */
export const palette = {
  blue: '#0072B2',
  orange: '#E69F00',
  green: '#009E73',
  vermillion: '#D55E00',
  purple: '#CC79A7',
  sky: '#56B4E9',
} as const;

export interface Bar {
  label: string;
  value: number;
  /** Defaults to the chart's colour. */
  colour?: string;
}

export interface BarChartOptions {
  title: string;
  /** The x axis title, with its unit: "products", "probability (%)". */
  axisLabel: string;
  bars: readonly Bar[];
  /** The axis end; the largest value rounded up when unset. */
  max?: number;
  format?: (value: number) => string;
  colour?: string;
  width?: number;
}

/** Round tick steps (1, 2, 5 × 10^n) giving about five ticks up to `max`. */
export function niceTicks(max: number): number[] {
  if (!(max > 0)) return [0, 1];
  const rough = max / 5;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((candidate) => candidate >= rough) ?? rough;
  const ticks: number[] = [];
  for (let index = 0; ; index++) {
    const tick = Number((index * step).toPrecision(12));
    ticks.push(tick);
    if (tick >= max) return ticks;
  }
}

const rowHeight = 22;
const labelWidth = 250;
const valueWidth = 64;

/** A horizontal bar chart as SVG: title, labelled bars with their values, x axis with ticks and unit. */
export function horizontalBarChart(options: BarChartOptions): Html {
  const { title, axisLabel, bars } = options;
  const format = options.format ?? ((value: number) => value.toLocaleString('en-US'));
  const width = options.width ?? 720;
  const top = 34;
  const plotWidth = width - labelWidth - valueWidth;
  const plotHeight = Math.max(1, bars.length) * rowHeight;
  const largest = Math.max(0, ...bars.map((bar) => bar.value));
  const ticks = niceTicks(options.max ?? largest);
  const axisMax = ticks.at(-1) ?? 1;
  const x = (value: number) => Math.round((labelWidth + (value / axisMax) * plotWidth) * 10) / 10;
  const height = top + plotHeight + 52;
  const description = bars.map((bar) => `${bar.label}: ${format(bar.value)}`).join('; ');
  return html`<svg class="chart" viewBox="0 0 ${width} ${height}" width="100%" role="img" aria-label="${title}. ${description}" xmlns="http://www.w3.org/2000/svg">
<title>${title}</title>
<text x="0" y="18" class="chart-title">${title}</text>
${ticks.map(
  (tick) => html`<line x1="${x(tick)}" x2="${x(tick)}" y1="${top}" y2="${top + plotHeight}" class="grid"/>
<text x="${x(tick)}" y="${top + plotHeight + 16}" text-anchor="middle" class="tick">${format(tick)}</text>`,
)}
${bars.map((bar, index) => {
  const y = top + index * rowHeight;
  return html`<text x="${labelWidth - 8}" y="${y + 15}" text-anchor="end" class="bar-label">${bar.label}</text>
<rect x="${labelWidth}" y="${y + 3}" width="${Math.max(0, x(bar.value) - labelWidth)}" height="${rowHeight - 6}" fill="${bar.colour ?? options.colour ?? palette.blue}"/>
<text x="${x(bar.value) + 4}" y="${y + 15}" class="bar-value">${format(bar.value)}</text>`;
})}
<line x1="${labelWidth}" x2="${labelWidth}" y1="${top}" y2="${top + plotHeight}" class="axis"/>
<line x1="${labelWidth}" x2="${labelWidth + plotWidth}" y1="${top + plotHeight}" y2="${top + plotHeight}" class="axis"/>
<text x="${labelWidth + plotWidth / 2}" y="${top + plotHeight + 40}" text-anchor="middle" class="axis-label">${axisLabel}</text>
</svg>`;
}
