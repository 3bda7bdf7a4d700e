import { expect, test } from 'vitest';
import { canaryQueries, rangeOf } from './canary-metrics.js';

const window = {
  namespace: 'shop',
  registeredModel: 'rakuten_classifier',
  candidateVersion: '8',
  since: new Date('2026-12-07T10:00:00Z'),
  until: new Date('2026-12-07T10:10:00.400Z'),
};

test("the window's length is the range, in whole seconds, at least one", () => {
  expect(rangeOf(window)).toBe('600s');
  expect(rangeOf({ since: window.since, until: window.since })).toBe('1s');
});

test("each query reads the candidate track of the namespace's pods that load this candidate version", () => {
  const queries = canaryQueries(window);
  const candidatePods =
    'max by (namespace, pod) (max_over_time(prodclass_candidate_model_info{namespace="shop",name="rakuten_classifier",version="8"}[600s]))';
  expect(queries.errors).toBe(
    `sum((increase(prodclass_http_errors_total{namespace="shop",track="candidate",status_code=~"5.."}[600s]) * on (namespace, pod) group_left () ${candidatePods}))`,
  );
  expect(queries.requests).toContain(
    'increase(prodclass_prediction_request_duration_seconds_count{namespace="shop",track="candidate"}[600s])',
  );
  expect(queries.requests).toContain(`${queries.errors} or vector(0)`);
  expect(queries.p99).toMatch(
    /^histogram_quantile\(0\.99, sum by \(le\) \(increase\(prodclass_prediction_request_duration_seconds_bucket\{namespace="shop",track="candidate"\}\[600s\]\)/,
  );
});

test('a namespace or version with a quote cannot escape its string', () => {
  expect(canaryQueries({ ...window, candidateVersion: '8"} or up{x="' }).errors).toContain(
    'version="8\\"} or up{x=\\""',
  );
});
