import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { checkDrift } from '@prodclass/catalog/drift/check-drift';
import {
  type DriftCheckRequest,
  type DriftReport,
  type DriftTestResult,
  defaultDriftTests,
  defaultSeverityThresholds,
} from '@prodclass/catalog/drift/report';
import {
  acknowledgeDriftReport,
  driftAcknowledgements,
  latestDriftReport,
  saveDriftReport,
} from '@prodclass/catalog/drift/report-store';
import { loadCatalog } from '@prodclass/catalog/load';
import { readCatalogDataset } from '@prodclass/catalog/snapshot';
import { syntheticSource } from '@prodclass/catalog/source';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  baselineTraffic,
  copyPredictions,
  type GeneratedPrediction,
  generatedPredictions,
  type TrafficProfile,
} from '../support/generated-predictions.js';
import { runPythonCheck } from '../support/python.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const day = 86_400_000;
const now = new Date('2026-06-30T00:00:00Z');
const current = { from: new Date(now.getTime() - 7 * day), to: now };
const reference = { kind: 'window' as const, from: new Date(now.getTime() - 37 * day), to: current.from };

let database: TestDatabase;
let pool: pg.Pool;
/** Every generated row, by model name and window, for the scipy comparison. */
const generated = new Map<string, { reference: GeneratedPrediction[]; current: GeneratedPrediction[] }>();

async function logTraffic(modelName: string, currentProfile: TrafficProfile, seed: number): Promise<void> {
  const windows = {
    reference: [
      ...generatedPredictions({
        modelName,
        modelVersion: '1',
        ...reference,
        count: 3000,
        profile: baselineTraffic,
        seed,
      }),
    ],
    current: [
      ...generatedPredictions({
        modelName,
        modelVersion: '1',
        ...current,
        count: 2000,
        profile: currentProfile,
        seed: seed + 1,
      }),
    ],
  };
  generated.set(modelName, windows);
  const client = await database.connect();
  await copyPredictions(client, [...windows.reference, ...windows.current]);
}

function request(modelName: string, overrides: Partial<DriftCheckRequest> = {}): DriftCheckRequest {
  return {
    monitor: `test/${modelName}`,
    modelName,
    current,
    reference,
    tests: defaultDriftTests,
    thresholds: defaultSeverityThresholds,
    minSamples: 1000,
    ...overrides,
  };
}

function resultOf(report: DriftReport, feature: string, test: string): DriftTestResult {
  const result = report.tests.find((candidate) => candidate.feature === feature && candidate.test === test);
  if (!result) throw new Error(`the report has no ${feature}/${test} test`);
  return result;
}

const atLeastAlert = ['ALERT', 'CRITICAL'];

beforeAll(async () => {
  database = await createTestDatabase();
  pool = new pg.Pool({ connectionString: database.url, max: 4 });
  await logTraffic('stable', baselineTraffic, 10);
  await logTraffic('longer-texts', { ...baselineTraffic, textLengthMean: 520 }, 20);
  await logTraffic(
    'class-mix',
    { ...baselineTraffic, classWeights: { ...baselineTraffic.classWeights, 40: 12 } },
    30,
  );
  // Rows of another model in the same windows are not compared.
  const client = await database.connect();
  await copyPredictions(
    client,
    generatedPredictions({
      modelName: 'other',
      modelVersion: '1',
      ...current,
      count: 3000,
      profile: { ...baselineTraffic, textLengthMean: 2000 },
      seed: 40,
    }),
  );
});

afterAll(async () => {
  await pool?.end();
  await database?.drop();
});

describe('checkDrift', () => {
  test('the same distribution in both windows is OK on every test', async () => {
    const report = await checkDrift(pool, request('stable'));
    expect(report.outcome).toBe('Checked');
    expect(report.current.samples).toBe(2000);
    expect(report.reference.samples).toBe(3000);
    expect(report.tests.map((test) => [test.feature, test.test, test.severity])).toEqual(
      defaultDriftTests.map((spec) => [spec.feature, spec.test, 'OK']),
    );
    expect(report.severity).toBe('OK');
    expect(resultOf(report, 'text_length', 'psi').bins.edges).toHaveLength(9);
  });

  test('longer texts in the current window alert on the text-length tests, not on the class mix', async () => {
    const report = await checkDrift(pool, request('longer-texts'));
    for (const test of ['psi', 'ks', 'jensen_shannon']) {
      expect(atLeastAlert, `text_length/${test}`).toContain(resultOf(report, 'text_length', test).severity);
    }
    expect(resultOf(report, 'predicted_class', 'chi2').severity).toBe('OK');
    expect(resultOf(report, 'predicted_class', 'psi').severity).toBe('OK');
    expect(atLeastAlert).toContain(report.severity);
    expect(resultOf(report, 'text_length', 'ks').pValue).toBeLessThan(1e-10);
  });

  test('a shifted class mix alerts on the predicted-class tests, not on text length', async () => {
    const report = await checkDrift(pool, request('class-mix'));
    expect(atLeastAlert).toContain(resultOf(report, 'predicted_class', 'chi2').severity);
    expect(atLeastAlert).toContain(resultOf(report, 'predicted_class', 'psi').severity);
    expect(resultOf(report, 'text_length', 'psi').severity).toBe('OK');
    expect(resultOf(report, 'predicted_class', 'chi2').pValue).toBeLessThan(1e-10);
  });

  test('too few rows in a window is InsufficientData with no tests, never an alarm', async () => {
    const report = await checkDrift(pool, request('longer-texts', { minSamples: 2001 }));
    expect(report.outcome).toBe('InsufficientData');
    expect(report.severity).toBe('OK');
    expect(report.tests).toEqual([]);
    expect(report.current.samples).toBe(2000);
  });

  test('per-test thresholds override the request thresholds', async () => {
    const strict = { warning: 0.001, alert: 0.002, critical: 0.003 };
    const report = await checkDrift(
      pool,
      request('stable', { tests: [{ feature: 'text_length', test: 'ks', thresholds: strict }] }),
    );
    expect(report.tests).toHaveLength(1);
    expect(report.severity).toBe('CRITICAL');
  });

  test('only the requested model version is compared', async () => {
    const report = await checkDrift(pool, request('stable', { modelVersion: '2' }));
    expect(report.outcome).toBe('InsufficientData');
    expect(report.current.samples).toBe(0);
  });
});

describe('the statistics equal numpy/scipy on the same rows', () => {
  for (const modelName of ['stable', 'longer-texts', 'class-mix']) {
    test(modelName, async () => {
      const report = await checkDrift(pool, request(modelName));
      const windows = generated.get(modelName);
      if (!windows) throw new Error(`no traffic was generated for ${modelName}`);
      const input = (rows: GeneratedPrediction[]) => ({
        text_length: rows.map((row) => row.textLength),
        confidence: rows.map((row) => row.confidence),
        prdtypecode: rows.map((row) => row.prdtypecode),
        tokens: rows.reduce((sum, row) => sum + row.tokenCount, 0),
        unknown: rows.reduce((sum, row) => sum + row.unknownTokenCount, 0),
      });
      const file = path.join(await fs.mkdtemp(path.join(os.tmpdir(), 'drift-')), 'windows.json');
      await fs.writeFile(
        file,
        JSON.stringify({ reference: input(windows.reference), current: input(windows.current) }),
      );
      interface Numeric {
        edges: number[];
        reference: number[];
        current: number[];
        psi: number;
        jensen_shannon: number;
        ks: number;
        ks_p_kolmogorov: number;
        ks_p_scipy_asymp: number;
      }
      const scipy = await runPythonCheck<{
        text_length: Numeric;
        confidence: Numeric;
        predicted_class: { labels: string[]; psi: number; chi2: number; chi2_p: number; cramers_v: number };
        tokens: { oov_share: number };
      }>('drift/scipy_drift.py', [file]);
      await fs.rm(path.dirname(file), { recursive: true });

      for (const feature of ['text_length', 'confidence'] as const) {
        const expected = scipy[feature];
        const psi = resultOf(report, feature, 'psi');
        expect(psi.bins.edges).toEqual(expected.edges);
        expect(psi.bins.reference).toEqual(expected.reference);
        expect(psi.bins.current).toEqual(expected.current);
        expect(psi.statistic).toBeCloseTo(expected.psi, 9);
        const ks = resultOf(report, feature, 'ks');
        expect(ks.statistic).toBeCloseTo(expected.ks, 9);
        expect(ks.pValue).toBeCloseTo(expected.ks_p_kolmogorov, 9);
      }
      expect(resultOf(report, 'text_length', 'jensen_shannon').statistic).toBeCloseTo(
        scipy.text_length.jensen_shannon,
        9,
      );
      const chi2 = resultOf(report, 'predicted_class', 'chi2');
      expect(chi2.bins.labels).toEqual(scipy.predicted_class.labels);
      expect(chi2.chiSquare).toBeCloseTo(scipy.predicted_class.chi2, 9);
      expect(chi2.statistic).toBeCloseTo(scipy.predicted_class.cramers_v, 9);
      expect(chi2.pValue).toBeCloseTo(scipy.predicted_class.chi2_p, 9);
      expect(resultOf(report, 'predicted_class', 'psi').statistic).toBeCloseTo(scipy.predicted_class.psi, 9);
      expect(resultOf(report, 'tokens', 'oov_share').statistic).toBeCloseTo(scipy.tokens.oov_share, 9);
    });
  }
});

describe('the training data as reference', () => {
  /** Logs, as served in the current window, the catalog rows for which `keep` holds. */
  async function logCatalogRows(modelName: string, keep: (prdtypecode: number) => boolean): Promise<string> {
    const client = await database.connect();
    const { load } = await loadCatalog(client, {
      source: syntheticSource(3000, 5),
      target: { toPercent: 100 },
      seed: 1,
    });
    const { rows } = await readCatalogDataset(client, load);
    const span = current.to.getTime() - current.from.getTime();
    await copyPredictions(
      client,
      rows
        .filter((row) => keep(row.prdtypecode))
        .map((row, index) => ({
          predictedAt: new Date(current.from.getTime() + ((index * 7919) % span)),
          modelName,
          modelVersion: '4',
          prdtypecode: row.prdtypecode,
          confidence: 0.5,
          textLength: row.designation.length + (row.description?.length ?? 0),
          tokenCount: 10,
          unknownTokenCount: 1,
        })),
    );
    return load.name;
  }

  test('the catalog the version was trained on is compared on text length and class; confidence and OOV are not applicable', async () => {
    const dataVersion = await logCatalogRows('trained', () => true);
    const report = await checkDrift(
      pool,
      request('trained', { reference: { kind: 'trainingData', modelVersion: '4', dataVersion } }),
    );
    expect(report.outcome).toBe('Checked');
    expect(report.reference).toEqual({ kind: 'trainingData', from: null, to: null, samples: 3000 });
    expect(report.current.samples).toBe(3000);
    for (const result of report.tests) {
      expect(result.severity, `${result.feature}/${result.test}`).toBe('OK');
      if (['confidence', 'tokens'].includes(result.feature)) expect(result.notApplicable).toBeTruthy();
      else expect(result.statistic, `${result.feature}/${result.test}`).toBeCloseTo(0, 12);
    }

    const fewerClasses = await logCatalogRows('fewer-classes', (code) => code < 2000);
    const shifted = await checkDrift(
      pool,
      request('fewer-classes', {
        reference: { kind: 'trainingData', modelVersion: '4', dataVersion: fewerClasses },
      }),
    );
    expect(atLeastAlert).toContain(resultOf(shifted, 'predicted_class', 'chi2').severity);
  });

  test('without the data load the version was trained on, the check says how to find it', async () => {
    await expect(
      checkDrift(pool, request('stable', { reference: { kind: 'trainingData', modelVersion: '4' } })),
    ).rejects.toThrow(/trainingDataVersion/);
  });
});

describe('drift reports', () => {
  test('are saved once, read back as the latest of their monitor, and acknowledged with who and why', async () => {
    const older = await checkDrift(pool, request('class-mix'));
    const report = await checkDrift(pool, request('class-mix'));
    await saveDriftReport(pool, older);
    await saveDriftReport(pool, report);
    await saveDriftReport(pool, report);
    const latest = await latestDriftReport(pool, 'test/class-mix');
    expect(latest).toEqual(report);
    expect(await latestDriftReport(pool, 'test/nobody')).toBeNull();

    const acknowledgement = await acknowledgeDriftReport(pool, {
      reportId: report.id,
      action: 'retrain',
      by: 'alice',
      reason: 'new seasonal products',
    });
    expect(acknowledgement).toMatchObject({ reportId: report.id, action: 'retrain', by: 'alice' });
    expect(await driftAcknowledgements(pool, report.id)).toEqual([acknowledgement]);
    // A resource's acknowledgement is recorded once, however often it is asked for.
    const requestUid = randomUUID();
    const asked = { reportId: report.id, action: 'investigate', by: 'bob', requestUid } as const;
    const first = await acknowledgeDriftReport(pool, asked);
    expect(await acknowledgeDriftReport(pool, asked)).toEqual(first);
    expect(await driftAcknowledgements(pool, report.id)).toEqual([acknowledgement, first]);
    await expect(
      acknowledgeDriftReport(pool, {
        reportId: '00000000-0000-0000-0000-000000000000',
        action: 'retrain',
        by: 'a',
      }),
    ).rejects.toThrow(/no drift report/);
  });
});
