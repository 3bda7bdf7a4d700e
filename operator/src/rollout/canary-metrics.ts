import { instantQuery } from '@prodclass/kube/prometheus';

/**
 * What the model servers' own metrics say about the candidate's answers in a canary step, read
 * from Prometheus (docs/operator.md#rollout-analysis): the requests it answered
 * (prodclass_prediction_request_duration_seconds, track="candidate"), its 5xx answers
 * (prodclass_http_errors_total, track="candidate") and its p99 request duration. Only pods of the
 * namespace that load this model version as their candidate count: each series is joined on
 * (namespace, pod) with prodclass_candidate_model_info over the window.
 */

export interface CanaryWindow {
  namespace: string;
  registeredModel: string;
  candidateVersion: string;
  since: Date;
  until: Date;
}

export interface CanaryMetrics {
  /** Requests the candidate answered, successfully or with a 5xx. */
  requests: number;
  errors: number;
  /** p99 of its successful requests' duration; undefined without any. */
  p99Seconds: number | undefined;
}

/** A PromQL string literal. */
function quoted(value: string): string {
  return JSON.stringify(value);
}

/** The window as a PromQL range, in whole seconds (at least one). */
export function rangeOf(window: Pick<CanaryWindow, 'since' | 'until'>): string {
  return `${Math.max(1, Math.round((window.until.getTime() - window.since.getTime()) / 1000))}s`;
}

/** The three queries, each evaluated at window.until over the window's length. */
export function canaryQueries(window: CanaryWindow): { requests: string; errors: string; p99: string } {
  const range = rangeOf(window);
  const namespace = `namespace=${quoted(window.namespace)}`;
  const candidatePods = `max by (namespace, pod) (max_over_time(prodclass_candidate_model_info{${namespace},name=${quoted(window.registeredModel)},version=${quoted(window.candidateVersion)}}[${range}]))`;
  const candidate = `${namespace},track="candidate"`;
  const ofCandidatePods = (series: string) =>
    `(increase(${series}[${range}]) * on (namespace, pod) group_left () ${candidatePods})`;
  const answered = ofCandidatePods(`prodclass_prediction_request_duration_seconds_count{${candidate}}`);
  const errors = ofCandidatePods(`prodclass_http_errors_total{${candidate},status_code=~"5.."}`);
  return {
    requests: `sum(${answered}) + (sum(${errors}) or vector(0))`,
    errors: `sum(${errors})`,
    p99: `histogram_quantile(0.99, sum by (le) ${ofCandidatePods(`prodclass_prediction_request_duration_seconds_bucket{${candidate}}`)})`,
  };
}

async function scalar(prometheusUrl: string, query: string, time: Date): Promise<number | undefined> {
  const [sample] = await instantQuery(prometheusUrl, query, { time });
  return sample?.value;
}

/**
 * The candidate's requests, 5xx answers and p99 over the window. Prometheus extrapolates increase()
 * to the window's edges and sees a request only once it is scraped, so counts are approximate to
 * within a scrape interval's traffic; no series (a window shorter than two scrapes) counts as none.
 */
export async function canaryMetrics(prometheusUrl: string, window: CanaryWindow): Promise<CanaryMetrics> {
  const queries = canaryQueries(window);
  const [requests, errors, p99Seconds] = await Promise.all([
    scalar(prometheusUrl, queries.requests, window.until),
    scalar(prometheusUrl, queries.errors, window.until),
    scalar(prometheusUrl, queries.p99, window.until),
  ]);
  return {
    requests: Math.round(requests ?? 0),
    errors: Math.round(errors ?? 0),
    p99Seconds: requests ? p99Seconds : undefined,
  };
}
