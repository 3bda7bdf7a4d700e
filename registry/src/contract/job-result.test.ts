import { describe, expect, test } from 'vitest';
import {
  formatJobResult,
  type ImpactResult,
  maxImpactFlips,
  maxJobResultBytes,
  parseJobResult,
  type TrainResult,
} from './job-result.js';

const trained: TrainResult = {
  kind: 'train',
  dataVersion: 'week_3',
  rows: { train: 800, test: 200 },
  runId: 'a1b2c3',
  registeredModel: 'rakuten_classifier',
  modelVersion: '4',
  metrics: { test_accuracy: 0.81, test_f1_weighted: 0.8 },
  promotion: { decision: 'promote', reason: 'beats the champion' },
};

describe('job results', () => {
  test('a train result round-trips through the termination message', () => {
    expect(parseJobResult(formatJobResult(trained), 'train')).toEqual(trained);
  });

  test('a load result round-trips, optional fields left out', () => {
    const loaded = {
      kind: 'load',
      dataVersion: 'initial',
      rowsAdded: 800,
      totalRows: 800,
      percentage: 40,
    } as const;
    expect(parseJobResult(formatJobResult(loaded), 'load')).toEqual(loaded);
  });

  test('a result from a Job of a release before the rename names the data version `load`', () => {
    const { dataVersion, ...rest } = trained;
    expect(parseJobResult(JSON.stringify({ ...rest, load: dataVersion }), 'train')).toEqual(trained);
  });

  test('a reason too long for 4 KB is shortened, everything else kept', () => {
    const long = { ...trained, promotion: { decision: 'reject' as const, reason: 'é'.repeat(5000) } };
    const message = formatJobResult(long);
    expect(Buffer.byteLength(message)).toBeLessThanOrEqual(maxJobResultBytes);
    const parsed = parseJobResult(message, 'train');
    expect(parsed.promotion?.reason.endsWith('…')).toBe(true);
    expect({ ...parsed, promotion: undefined }).toEqual({ ...trained, promotion: undefined });
  });

  test('a message that is not the expected result says what is wrong', () => {
    expect(() => parseJobResult('Error: boom', 'train')).toThrow(/not JSON/);
    expect(() => parseJobResult(formatJobResult(trained), 'load')).toThrow(/kind must be load, got train/);
    expect(() => parseJobResult(JSON.stringify({ ...trained, modelVersion: 4 }), 'train')).toThrow(
      /modelVersion must be a non-empty string/,
    );
    expect(() =>
      parseJobResult(JSON.stringify({ ...trained, promotion: { decision: 'maybe' } }), 'train'),
    ).toThrow(/promotion.decision/);
    expect(() =>
      parseJobResult(JSON.stringify({ ...trained, rows: { train: -1, test: 2 } }), 'train'),
    ).toThrow(/rows.train must be a whole number/);
  });

  test('an impact result with the most flips it may list fits the message and round-trips', () => {
    const impact: ImpactResult = {
      kind: 'impact',
      registeredModel: 'a'.repeat(256),
      championVersion: '12345',
      candidateVersion: '12346',
      dataVersion: 'd'.repeat(253),
      products: 84916,
      changed: 12345,
      changedShare: 0.14537896273,
      flips: Array.from({ length: maxImpactFlips }, (_, i) => ({
        from: 2583 + i,
        to: 1560 + i,
        count: 99999,
      })),
    };
    const message = formatJobResult(impact);
    expect(Buffer.byteLength(message)).toBeLessThanOrEqual(maxJobResultBytes);
    expect(parseJobResult(message, 'impact')).toEqual(impact);
    expect(() =>
      parseJobResult(JSON.stringify({ ...impact, flips: [{ from: 1, to: 2 }] }), 'impact'),
    ).toThrow(/flips\[0\].count must be a number/);
  });
});
