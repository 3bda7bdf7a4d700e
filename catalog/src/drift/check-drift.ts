import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { type LiveQuality, liveQuality } from '../quality/live-quality.js';
import { measurePerformance } from './performance.js';
import {
  type DriftCheckRequest,
  type DriftReport,
  type DriftTestResult,
  type DriftTestSpec,
  severityOf,
  worstSeverity,
} from './report.js';
import {
  chiSquareTest,
  jensenShannonDistance,
  kolmogorovSmirnovPValue,
  populationStabilityIndex,
} from './statistics.js';
import { grownUnknownWords } from './unknown-words.js';
import {
  aggregateWindows,
  type ClassCounts,
  type NumericDistribution,
  type ReferenceSource,
  type WindowAggregates,
  type WindowSelection,
} from './window-queries.js';

/** A test's outcome before its thresholds are applied. */
type Measured = Omit<DriftTestResult, 'severity' | 'feature' | 'test'>;

function notApplicable(reason: string): Measured {
  return { statistic: 0, pValue: null, bins: { reference: [], current: [] }, notApplicable: reason };
}

function classBins(counts: ClassCounts) {
  const codes = [...new Set([...counts.reference.keys(), ...counts.current.keys()])].sort((a, b) => a - b);
  return {
    labels: codes.map(String),
    reference: codes.map((code) => counts.reference.get(code) ?? 0),
    current: codes.map((code) => counts.current.get(code) ?? 0),
  };
}

function numericBins(distribution: NumericDistribution) {
  return { edges: distribution.edges, reference: distribution.reference, current: distribution.current };
}

async function referenceSource(pool: pg.Pool, request: DriftCheckRequest): Promise<ReferenceSource> {
  const { reference } = request;
  if (reference.kind === 'window') return reference;
  if (!reference.dataVersion)
    throw new Error(
      `the trainingData reference of ${request.modelName} version ${reference.modelVersion} needs the data load it was trained on: see trainingDataVersion()`,
    );
  const { rows } = await pool.query<{ history_watermark: string }>(
    "select history_watermark from data_loads where name = $1 and status = 'completed'",
    [reference.dataVersion],
  );
  const load = rows[0];
  if (!load) throw new Error(`no completed data load is named ${reference.dataVersion}`);
  return { kind: 'trainingData', historyWatermark: load.history_watermark };
}

/** The live quality of the performance test's version in the current window, when a test needs it. */
async function servedQuality(pool: pg.Pool, request: DriftCheckRequest): Promise<LiveQuality | undefined> {
  const reference = request.performance;
  if (!reference || 'unknown' in reference) return undefined;
  if (!request.tests.some((spec) => spec.test === 'performance')) return undefined;
  const client = await pool.connect();
  try {
    const report = await liveQuality(client, { ...request.current, modelName: request.modelName });
    return report.versions.find((version) => version.modelVersion === reference.modelVersion);
  } finally {
    client.release();
  }
}

function measure(
  spec: DriftTestSpec,
  aggregates: WindowAggregates,
  fromTraining: boolean,
  request: DriftCheckRequest,
  quality: LiveQuality | undefined,
): Measured {
  const { feature, test } = spec;
  if (feature === 'accuracy' && test === 'performance') {
    const outcome = measurePerformance(request.performance, quality);
    return 'statistic' in outcome
      ? { ...outcome, pValue: null, bins: { reference: [], current: [] } }
      : { ...notApplicable(outcome.notApplicable), performance: outcome.performance };
  }
  if (feature === 'predicted_class') {
    const bins = classBins(aggregates.classes);
    if (test === 'psi')
      return { statistic: populationStabilityIndex(bins.reference, bins.current), pValue: null, bins };
    if (test === 'chi2') {
      const result = chiSquareTest(bins.reference, bins.current);
      return { statistic: result.cramersV, pValue: result.pValue, chiSquare: result.chiSquare, bins };
    }
  }
  if (feature === 'tokens' && test === 'oov_share') {
    const { reference, current } = aggregates.classes.tokens;
    if (fromTraining) return notApplicable('the training data has no logged token counts to compare with');
    if (reference.tokens === 0 || current.tokens === 0)
      return notApplicable('the model server logged no token counts in one of the windows');
    const share = (totals: typeof reference) => totals.unknown / totals.tokens;
    return {
      statistic: Math.abs(share(current) - share(reference)),
      pValue: null,
      bins: {
        labels: ['known', 'unknown'],
        reference: [reference.tokens - reference.unknown, reference.unknown],
        current: [current.tokens - current.unknown, current.unknown],
      },
    };
  }
  if (feature === 'text_length' || feature === 'confidence') {
    const distribution = feature === 'text_length' ? aggregates.textLength : aggregates.confidence;
    if (!distribution) return notApplicable('the training data has no confidences to compare with');
    const bins = numericBins(distribution);
    if (test === 'psi')
      return { statistic: populationStabilityIndex(bins.reference, bins.current), pValue: null, bins };
    if (test === 'jensen_shannon')
      return { statistic: jensenShannonDistance(bins.reference, bins.current), pValue: null, bins };
    if (test === 'ks')
      return {
        statistic: distribution.ksStatistic,
        pValue: kolmogorovSmirnovPValue(
          distribution.ksStatistic,
          distribution.referenceSamples,
          distribution.currentSamples,
        ),
        bins,
      };
  }
  throw new Error(`drift test ${test} is not defined for feature ${feature}`);
}

/**
 * Compares the current window of a model's inference log with its reference (an earlier window,
 * or the catalog the served version was trained on). Aggregates in PostgreSQL; computes, does not
 * store (saveDriftReport does).
 */
export async function checkDrift(pool: pg.Pool, request: DriftCheckRequest): Promise<DriftReport> {
  const selection: WindowSelection = {
    modelName: request.modelName,
    modelVersion: request.modelVersion ?? null,
    current: request.current,
    reference: await referenceSource(pool, request),
  };
  const aggregates = await aggregateWindows(pool, selection);
  const classes = aggregates.classes;
  const sum = (counts: Map<number, number>) =>
    [...counts.values()].reduce((total, count) => total + count, 0);
  const samples = { reference: sum(classes.reference), current: sum(classes.current) };
  const report: DriftReport = {
    id: randomUUID(),
    monitor: request.monitor,
    modelName: request.modelName,
    modelVersion: request.modelVersion ?? null,
    checkedAt: new Date(),
    current: { ...request.current, samples: samples.current },
    reference:
      request.reference.kind === 'window'
        ? {
            kind: 'window',
            from: request.reference.from,
            to: request.reference.to,
            samples: samples.reference,
          }
        : { kind: 'trainingData', from: null, to: null, samples: samples.reference },
    outcome: 'InsufficientData',
    severity: 'OK',
    tests: [],
  };
  if (samples.reference < request.minSamples || samples.current < request.minSamples) return report;

  const fromTraining = selection.reference.kind === 'trainingData';
  const quality = await servedQuality(pool, request);
  report.tests = request.tests.map((spec) => {
    const result = measure(spec, aggregates, fromTraining, request, quality);
    const severity = result.notApplicable
      ? 'OK'
      : severityOf(result.statistic, spec.thresholds ?? request.thresholds);
    return { feature: spec.feature, test: spec.test, ...result, severity };
  });
  const oov = report.tests.find((test) => test.test === 'oov_share' && test.severity !== 'OK');
  if (oov && selection.reference.kind === 'window') {
    const words = await grownUnknownWords(pool, { ...selection, reference: selection.reference });
    if ('words' in words) oov.unknownWords = words.words;
    else oov.unknownWordsSkipped = words.skipped;
  }
  report.outcome = 'Checked';
  report.severity = worstSeverity(report.tests.map((test) => test.severity));
  return report;
}
