import { describe, expect, test } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  test('defaults: port 8000 on 127.0.0.1, the production alias, a 60 s reload interval', () => {
    const config = loadConfig({ MLFLOW_TRACKING_URI: 'http://mlflow:5000' });
    expect(config).toMatchObject({
      port: 8000,
      host: '127.0.0.1',
      modelUri: { kind: 'alias', name: 'rakuten_classifier', alias: 'production' },
      reloadIntervalSeconds: 60,
      databaseUrl: undefined,
      adminToken: undefined,
    });
  });

  test('reports every invalid variable at once', () => {
    const attempt = () =>
      loadConfig({
        PORT: 'eighty',
        MODEL_URI: 'models:/x/latest',
        RELOAD_INTERVAL_SECONDS: '0',
        ADMIN_TOKEN: 'short',
        DATABASE_URL: 'mysql://x',
      });
    expect(attempt).toThrow(ConfigError);
    try {
      attempt();
    } catch (error) {
      expect((error as ConfigError).problems).toHaveLength(5);
    }
  });

  test('FEEDBACK_TOKEN is at least 16 characters and needs DATABASE_URL', () => {
    const bundle = { MODEL_URI: '/models/model.bundle' };
    const database = { DATABASE_URL: 'postgres://db/prodclass' };
    expect(loadConfig({ ...bundle, ...database, FEEDBACK_TOKEN: 'f'.repeat(16) }).feedbackToken).toBe(
      'f'.repeat(16),
    );
    expect(() => loadConfig({ ...bundle, ...database, FEEDBACK_TOKEN: 'short' })).toThrow(
      /FEEDBACK_TOKEN must be at least 16 characters/,
    );
    expect(() => loadConfig({ ...bundle, FEEDBACK_TOKEN: 'f'.repeat(16) })).toThrow(
      /FEEDBACK_TOKEN needs DATABASE_URL/,
    );
  });

  test('the inference-log spool: a directory that needs DATABASE_URL, 256 MiB unless set, at least 64 KiB', () => {
    const bundle = { MODEL_URI: '/models/model.bundle' };
    const database = { DATABASE_URL: 'postgres://db/prodclass' };
    expect(loadConfig({ ...bundle, ...database })).toMatchObject({
      inferenceLogSpoolDir: undefined,
      inferenceLogSpoolBytes: 256 * 1024 * 1024,
    });
    expect(
      loadConfig({
        ...bundle,
        ...database,
        INFERENCE_LOG_SPOOL_DIR: '/spool',
        INFERENCE_LOG_SPOOL_BYTES: '65536',
      }),
    ).toMatchObject({ inferenceLogSpoolDir: '/spool', inferenceLogSpoolBytes: 65_536 });
    expect(() => loadConfig({ ...bundle, INFERENCE_LOG_SPOOL_DIR: '/spool' })).toThrow(
      /INFERENCE_LOG_SPOOL_DIR needs DATABASE_URL/,
    );
    expect(() => loadConfig({ ...bundle, ...database, INFERENCE_LOG_SPOOL_BYTES: '1000' })).toThrow(
      /INFERENCE_LOG_SPOOL_BYTES must be an integer of at least 65536/,
    );
  });

  test('MODEL_ALIAS names the alias a pinned version was chosen through, and only goes with one', () => {
    const mlflow = { MLFLOW_TRACKING_URI: 'http://mlflow:5000' };
    expect(loadConfig({ ...mlflow, MODEL_URI: 'models:/m/3', MODEL_ALIAS: 'production' }).modelAlias).toBe(
      'production',
    );
    expect(loadConfig({ ...mlflow, MODEL_URI: 'models:/m/3' }).modelAlias).toBeUndefined();
    expect(() =>
      loadConfig({ ...mlflow, MODEL_URI: 'models:/m@staging', MODEL_ALIAS: 'production' }),
    ).toThrow(/MODEL_ALIAS only goes with MODEL_URI models:\/NAME\/VERSION/);
    expect(() => loadConfig({ ...mlflow, MODEL_URI: 'models:/m/3', MODEL_ALIAS: 'prod uction' })).toThrow(
      /MODEL_ALIAS must be/,
    );
  });

  test('a registered model needs MLFLOW_TRACKING_URI; a bundle file does not', () => {
    expect(() => loadConfig({ MODEL_URI: 'models:/m/3' })).toThrow(/MLFLOW_TRACKING_URI is required/);
    expect(loadConfig({ MODEL_URI: '/models/model.bundle' }).modelUri).toEqual({
      kind: 'file',
      path: '/models/model.bundle',
    });
  });

  test('a candidate model: CANARY_WEIGHT and SHADOW_PERCENT are percentages and need CANDIDATE_MODEL_URI', () => {
    const bundle = { MODEL_URI: '/models/model.bundle' };
    expect(loadConfig(bundle).traffic).toBeUndefined();
    expect(
      loadConfig({ ...bundle, CANDIDATE_MODEL_URI: '/models/candidate.bundle', CANARY_WEIGHT: '12.5' })
        .traffic,
    ).toEqual({
      candidateUri: { kind: 'file', path: '/models/candidate.bundle' },
      candidateAlias: undefined,
      canaryWeight: 12.5,
      shadowPercent: 0,
      shadowQueueCapacity: 1000,
      candidateDelayMs: 0,
    });
    const problems = (env: Record<string, string>) => {
      try {
        loadConfig({ ...bundle, ...env });
        return [];
      } catch (error) {
        return (error as ConfigError).problems;
      }
    };
    expect(problems({ SHADOW_PERCENT: '10' })).toEqual([
      'CANARY_WEIGHT and SHADOW_PERCENT need CANDIDATE_MODEL_URI, the model they send requests to',
    ]);
    expect(
      problems({
        CANDIDATE_MODEL_URI: 'models:/x/1',
        CANARY_WEIGHT: '101',
        SHADOW_PERCENT: 'all',
        SHADOW_QUEUE_CAPACITY: '0',
      }),
    ).toEqual([
      'CANARY_WEIGHT must be a number from 0 to 100, got "101"',
      'SHADOW_PERCENT must be a number from 0 to 100, got "all"',
      'SHADOW_QUEUE_CAPACITY must be a positive integer, got "0"',
      'MLFLOW_TRACKING_URI is required when CANDIDATE_MODEL_URI names a registered model',
    ]);
  });

  test('CANDIDATE_DELAY_MS: whole milliseconds from 0 to a minute', () => {
    const candidate = { MODEL_URI: '/models/model.bundle', CANDIDATE_MODEL_URI: '/models/candidate.bundle' };
    expect(loadConfig({ ...candidate, CANDIDATE_DELAY_MS: '250' }).traffic?.candidateDelayMs).toBe(250);
    for (const value of ['-1', '1.5', 'slow', '60001']) {
      expect(() => loadConfig({ ...candidate, CANDIDATE_DELAY_MS: value })).toThrow(
        `CANDIDATE_DELAY_MS must be an integer from 0 to 60000, got "${value}"`,
      );
    }
  });
});
