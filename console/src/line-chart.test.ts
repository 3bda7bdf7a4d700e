import { expect, test } from 'vitest';
import { palette } from './bar-chart.js';
import { lineChart } from './line-chart.js';

const from = new Date('2026-12-01T00:00:00Z');
const at = (hours: number) => new Date(from.getTime() + hours * 3_600_000);

test('a line chart: a polyline per run of values (a null is a gap), a dashed reference, the series named in its accessible name and legend', () => {
  const svg = lineChart({
    title: 'Accuracy <per> hour',
    axisLabel: 'accuracy (%)',
    series: [
      {
        label: 'v1 live',
        colour: palette.blue,
        points: [
          { at: at(0), value: 80 },
          { at: at(1), value: 70 },
          { at: at(2), value: null },
          { at: at(3), value: 60 },
          { at: at(4), value: 50 },
        ],
      },
      {
        label: 'v1 offline',
        colour: palette.blue,
        dashed: true,
        points: [
          { at: at(0), value: 90 },
          { at: at(4), value: 90 },
        ],
      },
    ],
    from,
    to: at(4),
    max: 100,
    format: (value) => `${value.toFixed(0)}%`,
    formatTime: (date) => date.toISOString().slice(11, 16),
  }).value;
  expect(svg).toContain('role="img"');
  expect(svg).toContain('<title>Accuracy &lt;per&gt; hour</title>');
  expect(svg).toContain(
    'aria-label="Accuracy &lt;per&gt; hour. v1 live: 4 points, last 50% at 04:00; v1 offline: 2 points, last 90% at 04:00"',
  );
  expect(svg.match(/<polyline /g)).toHaveLength(3);
  expect(svg.match(/stroke-dasharray/g)).toHaveLength(2);
  expect(svg.match(/<circle /g)).toHaveLength(4);
  expect(svg).toContain('>v1 live</text>');
  expect(svg).toContain('>accuracy (%)</text>');
  for (const tick of ['0%', '20%', '100%', '00:00', '04:00']) expect(svg).toContain(`>${tick}</text>`);
  expect(svg).not.toContain('style=');
});
