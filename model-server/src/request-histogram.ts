import type { Metric, Registry } from 'prom-client';

/** One label value's buckets (not cumulative; the last one is +Inf), sum and count. */
class HistogramSeries {
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(private readonly bounds: Float64Array) {
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(value: number): void {
    let bucket = 0;
    while (bucket < this.bounds.length && value > (this.bounds[bucket] as number)) bucket++;
    this.counts[bucket] = (this.counts[bucket] as number) + 1;
    this.sum += value;
    this.count++;
  }
}

interface ExportedValue {
  labels: Record<string, string | number>;
  value: number;
  metricName: string;
}

/**
 * A Prometheus histogram for what every request observes: a bucket search and three additions,
 * allocating nothing, where prom-client's Histogram checks, hashes and copies its labels on every
 * observation. Keep the series `seriesFor` returns rather than look it up per observation. It
 * registers with a prom-client registry, which formats it like its own histograms: the registry
 * takes any metric with a name, help, type, aggregator, `get` and `reset`, although its types
 * list only prom-client's classes.
 */
export class RequestHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly bounds: Float64Array;
  /** By the label values joined with NUL, which no label value here holds. */
  private readonly series = new Map<string, { labels: Record<string, string>; series: HistogramSeries }>();

  constructor(
    readonly name: string,
    readonly help: string,
    buckets: readonly number[],
    private readonly labelNames: readonly string[],
    registry: Registry,
  ) {
    this.bounds = Float64Array.from(buckets);
    this.reset();
    registry.registerMetric(this as unknown as Metric);
  }

  /** The series of these label values, in the order of the label names (none without labels). */
  seriesFor(...labelValues: string[]): HistogramSeries {
    if (labelValues.length !== this.labelNames.length)
      throw new Error(`${this.name} takes the labels ${this.labelNames.join(', ') || '(none)'}`);
    const key = labelValues.join('\u0000');
    let entry = this.series.get(key);
    if (!entry) {
      const labels = Object.fromEntries(
        this.labelNames.map((name, index) => [name, labelValues[index] as string]),
      );
      entry = { labels, series: new HistogramSeries(this.bounds) };
      this.series.set(key, entry);
    }
    return entry.series;
  }

  reset(): void {
    this.series.clear();
    // Like prom-client, an unlabelled histogram shows its zero buckets before any observation.
    if (this.labelNames.length === 0) this.seriesFor();
  }

  async get() {
    const values: ExportedValue[] = [];
    for (const { labels, series } of this.series.values()) {
      let cumulative = 0;
      series.counts.forEach((count, bucket) => {
        cumulative += count;
        const le = bucket < this.bounds.length ? (this.bounds[bucket] as number) : '+Inf';
        values.push({ labels: { le, ...labels }, value: cumulative, metricName: `${this.name}_bucket` });
      });
      values.push(
        { labels, value: series.sum, metricName: `${this.name}_sum` },
        { labels, value: series.count, metricName: `${this.name}_count` },
      );
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }
}
