import { Histogram, Registry } from 'prom-client';
import { expect, test } from 'vitest';
import { RequestHistogram } from './request-histogram.js';

test("a RequestHistogram's exposition is the one prom-client's Histogram gives for the same observations", async () => {
  const ours = new Registry();
  const theirs = new Registry();
  const buckets = [0.001, 0.01, 0.1];
  const histogram = new RequestHistogram('latency_seconds', 'Latency.', buckets, ['route', 'track'], ours);
  const reference = new Histogram({
    name: 'latency_seconds',
    help: 'Latency.',
    buckets,
    labelNames: ['route', 'track'],
    registers: [theirs],
  });
  const unlabelled = new RequestHistogram('size_bytes', 'Size.', [10], [], ours);
  new Histogram({ name: 'size_bytes', help: 'Size.', buckets: [10], registers: [theirs] });
  for (const [route, track, value] of [
    ['/a', 'primary', 0.0005],
    ['/a', 'candidate', 0.01],
    ['/b', 'primary', 0.5],
    ['/a', 'primary', 0.05],
  ] as const) {
    histogram.seriesFor(route, track).observe(value);
    reference.observe({ route, track }, value);
  }
  expect(await ours.metrics()).toBe(await theirs.metrics());
  unlabelled.seriesFor().observe(3);
  expect(await ours.metrics()).toContain('size_bytes_bucket{le="10"} 1\n');
  expect(() => histogram.seriesFor('/a')).toThrow(/takes the labels route, track/);
});
