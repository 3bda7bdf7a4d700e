import { expect, test } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

const required = { DATABASE_URL: 'postgres://u:p@db/prodclass', MLFLOW_TRACKING_URI: 'http://mlflow:5000' };

test('defaults: authentication off, port 8090, namespace default, MLflow links to the tracking URI', () => {
  expect(loadConfig(required)).toMatchObject({
    port: 8090,
    host: '127.0.0.1',
    namespace: 'default',
    registeredModel: 'rakuten_classifier',
    alias: 'production',
    mlflowPublicUrl: 'http://mlflow:5000',
    prometheusUrl: undefined,
    feedbackToken: undefined,
    auth: { mode: 'off', userHeader: 'x-forwarded-user', groupsHeader: 'x-forwarded-groups' },
    secureCookies: false,
  });
});

test('every problem is reported at once', () => {
  let error: unknown;
  try {
    loadConfig({
      PORT: 'x',
      NAMESPACE: 'Bad_Name',
      AUTH_MODE: 'basic',
      PROMETHEUS_URL: 'ftp://p',
      FEEDBACK_TOKEN: 'short',
    });
  } catch (caught) {
    error = caught;
  }
  expect(error).toBeInstanceOf(ConfigError);
  expect((error as ConfigError).problems).toEqual([
    'PORT must be an integer from 0 to 65535, got "x"',
    'NAMESPACE must be a Kubernetes namespace name, got "Bad_Name"',
    'DATABASE_URL is required',
    'MLFLOW_TRACKING_URI is required',
    'PROMETHEUS_URL must be a http: or https: URL',
    'FEEDBACK_TOKEN must be at least 16 characters long, as the model server requires',
    'AUTH_MODE must be one of off, bearer, proxy, got "basic"',
  ]);
});
