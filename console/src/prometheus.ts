import { instantQuery } from '@prodclass/kube/prometheus';

export interface ServiceTraffic {
  service: string;
  requestsPerSecond: number | undefined;
  p95Seconds: number | undefined;
}

/** Each sample's value by its `service` label. */
async function byService(baseUrl: string, query: string): Promise<Map<string, number>> {
  const samples = await instantQuery(baseUrl, query);
  return new Map(samples.map(({ labels, value }) => [labels.service ?? '', value]));
}

/**
 * `/predict` request rate and p95 latency of each model-server Service of a namespace over the
 * last 5 minutes, as the chart's ServiceMonitor labels the series (`namespace`, `service`).
 */
export async function serviceTraffic(baseUrl: string, namespace: string): Promise<ServiceTraffic[]> {
  const selector = `namespace="${namespace.replaceAll('"', '')}",route="/predict"`;
  const [rates, p95s] = await Promise.all([
    byService(
      baseUrl,
      `sum by (service) (rate(prodclass_prediction_request_duration_seconds_count{${selector}}[5m]))`,
    ),
    byService(
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
