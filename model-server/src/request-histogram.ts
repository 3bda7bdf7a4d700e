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
 * observation. At most one label. It registers with a prom-client registry, which formats it like
 * its own histograms: the registry takes any metric with a name, help, type, aggregator, `get`
 * and `reset`, although its types list only prom-client's classes.
 */
export class RequestHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly bounds: Float64Array;
  private readonly series = new Map<string | undefined, HistogramSeries>();

  constructor(
    readonly name: string,
    readonly help: string,
    buckets: readonly number[],
    private readonly labelName: string | undefined,
    registry: Registry,
  ) {
    this.bounds = Float64Array.from(buckets);
    this.reset();
    registry.registerMetric(this as unknown as Metric);
  }

  /** The series to observe into; without a label name, the one series. Keep it rather than look it up per observation. */
  seriesFor(labelValue?: string): HistogramSeries {
    let series = this.series.get(labelValue);
    if (!series) {
      series = new HistogramSeries(this.bounds);
      this.series.set(labelValue, series);
    }
    return series;
  }

  reset(): void {
    this.series.clear();
    // Like prom-client, an unlabelled histogram shows its zero buckets before any observation.
    if (this.labelName === undefined) this.seriesFor();
  }

  async get() {
    const values: ExportedValue[] = [];
    for (const [labelValue, series] of this.series) {
      const labels: Record<string, string> =
        this.labelName === undefined ? {} : { [this.labelName]: labelValue as string };
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
