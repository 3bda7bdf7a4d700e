export interface ServiceTraffic {
  service: string;
  requestsPerSecond: number | undefined;
  p95Seconds: number | undefined;
}

interface VectorResponse {
  status: string;
  error?: string;
  data?: { result: { metric: Record<string, string>; value: [number, string] }[] };
}

async function instantVector(baseUrl: string, query: string): Promise<Map<string, number>> {
  const url = new URL('/api/v1/query', baseUrl);
  url.searchParams.set('query', query);
  const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  const body = (await response.json()) as VectorResponse;
  if (body.status !== 'success') throw new Error(`Prometheus query failed: ${body.error ?? response.status}`);
  const values = new Map<string, number>();
  for (const sample of body.data?.result ?? []) {
    const value = Number(sample.value[1]);
    if (Number.isFinite(value)) values.set(sample.metric.service ?? '', value);
  }
  return values;
}

/**
 * `/predict` request rate and p95 latency of each model-server Service of a namespace over the
 * last 5 minutes, as the chart's ServiceMonitor labels the series (`namespace`, `service`).
 */
export async function serviceTraffic(baseUrl: string, namespace: string): Promise<ServiceTraffic[]> {
  const selector = `namespace="${namespace.replaceAll('"', '')}",route="/predict"`;
  const [rates, p95s] = await Promise.all([
    instantVector(
      baseUrl,
      `sum by (service) (rate(prodclass_prediction_request_duration_seconds_count{${selector}}[5m]))`,
    ),
    instantVector(
      baseUrl,
      `histogram_quantile(0.95, sum by (service, le) (rate(prodclass_prediction_request_duration_seconds_bucket{${selector}}[5m])))`,
    ),
  ]);
  const services = new Set([...rates.keys(), ...p95s.keys()]);
  return [...services].sort().map((service) => ({
    service,
    requestsPerSecond: rates.get(service),
    p95Seconds: p95s.get(service),
  }));
}
