import { expect, test } from 'vitest';
import { horizontalBarChart, niceTicks, palette } from './bar-chart.js';

test('ticks are round steps that reach the largest value', () => {
  expect(niceTicks(4321)).toEqual([0, 1000, 2000, 3000, 4000, 5000]);
  expect(niceTicks(1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
  expect(niceTicks(100)).toEqual([0, 20, 40, 60, 80, 100]);
  expect(niceTicks(0)).toEqual([0, 1]);
});

test('a chart has its title, axis title with unit, tick labels, escaped bar labels and values', () => {
  const svg = horizontalBarChart({
    title: 'Products per class',
    axisLabel: 'products (count)',
    bars: [
      { label: 'Piscine <et> accessoires (2583)', value: 1200 },
      { label: 'Jeux vidéo (2462)', value: 300, colour: palette.orange },
    ],
  }).value;
  expect(svg).toContain('role="img"');
  expect(svg).toContain('<title>Products per class</title>');
  expect(svg).toContain('>products (count)</text>');
  expect(svg).toContain('Piscine &lt;et&gt; accessoires (2583)');
  expect(svg).toContain('>1,200</text>');
  expect(svg).toContain(`fill="${palette.orange}"`);
  for (const tick of ['0', '500', '1,000', '1,500']) expect(svg).toContain(`>${tick}</text>`);
  expect(svg).not.toContain('style=');
});
