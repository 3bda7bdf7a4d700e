import { expect, test } from 'vitest';
import { settingsFromEnv } from './config.js';

const required = {
  DATABASE_URL: 'postgresql://prodclass@127.0.0.1/prodclass',
  MLFLOW_TRACKING_URI: 'http://127.0.0.1:5000',
};

test('PROMETHEUS_URL is unset by default, an http(s) URL when set', () => {
  expect(settingsFromEnv(required).prometheusUrl).toBeUndefined();
  expect(settingsFromEnv({ ...required, PROMETHEUS_URL: ' ' }).prometheusUrl).toBeUndefined();
  expect(settingsFromEnv({ ...required, PROMETHEUS_URL: 'http://prometheus:9090' }).prometheusUrl).toBe(
    'http://prometheus:9090',
  );
  expect(() => settingsFromEnv({ ...required, PROMETHEUS_URL: 'prometheus:9090' })).toThrow(
    'PROMETHEUS_URL must be a http: or https: URL',
  );
});
