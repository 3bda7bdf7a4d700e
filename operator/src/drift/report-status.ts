import type { DriftReport, PerformanceMeasure } from '@prodclass/catalog/drift/report';
import { type ConditionUpdate, timestamp } from '@prodclass/kube/conditions';
import type { Announcement } from '../manager/status-writer.js';
import type { DriftMonitorStatus, DriftTestSummary } from '../resources/types.js';

/** Drift is a checked report of severity ALERT or CRITICAL; WARNING is reported but is not drift. */
export const isDrift = (report: Pick<DriftReport, 'outcome' | 'severity'>) =>
  report.outcome === 'Checked' && (report.severity === 'ALERT' || report.severity === 'CRITICAL');

/** The first few unknown words of a test, for the condition and event messages. */
function newWords(test: DriftTestSummary): string {
  const words = test.unknownWords?.slice(0, 5).map(({ word, count }) => `${word} ×${count}`);
  return words?.length ? ` new words: ${words.join(', ')}` : '';
}

function performanceSummary(measure: PerformanceMeasure): NonNullable<DriftTestSummary['performance']> {
  const {
    modelVersion,
    labeled,
    minLabels,
    liveAccuracy,
    estimatedAccuracy,
    testAccuracy,
    insufficientLabels,
  } = measure;
  return {
    modelVersion,
    labeled,
    minLabels,
    ...(liveAccuracy === null ? {} : { liveAccuracy }),
    ...(estimatedAccuracy === null ? {} : { estimatedAccuracy }),
    testAccuracy,
    insufficientLabels,
    ...(measure.judgedOn ? { judgedOn: measure.judgedOn } : {}),
  };
}

/** What the message says about a performance test that had too few labels to be graded. */
function unjudged(tests: DriftTestSummary[]): string {
  const short = tests.find((test) => test.performance?.insufficientLabels)?.performance;
  if (!short) return '';
  const labels = `${short.labeled} of version ${short.modelVersion}, minLabels ${short.minLabels}`;
  return short.judgedOn === 'estimate'
    ? `; performance judged on the estimated accuracy: insufficient labels (${labels})`
    : `; performance not judged: insufficient labels (${labels})`;
}

/** The status summary, conditions and event of a report. */
export function reportStatus(report: DriftReport): {
  status: DriftMonitorStatus;
  conditions: ConditionUpdate[];
  announcement: Announcement;
} {
  // A performance test without enough labels stays in the summary, to say so.
  const tests = report.tests
    .filter((result) => !result.notApplicable || result.performance)
    .map((result) => ({
      feature: result.feature,
      test: result.test,
      ...(Number.isFinite(result.statistic) && !result.notApplicable ? { statistic: result.statistic } : {}),
      ...(result.pValue !== null && Number.isFinite(result.pValue) ? { pValue: result.pValue } : {}),
      severity: result.severity,
      ...(result.unknownWords?.length ? { unknownWords: result.unknownWords } : {}),
      ...(result.performance ? { performance: performanceSummary(result.performance) } : {}),
    }));
  const status: DriftMonitorStatus = {
    modelName: report.modelName,
    severity: report.severity,
    lastCheckTime: timestamp(report.checkedAt),
    lastReport: {
      id: report.id,
      outcome: report.outcome,
      currentSamples: report.current.samples,
      referenceSamples: report.reference.samples,
      tests,
    },
  };
  const samples = `${report.current.samples} current and ${report.reference.samples} reference rows`;
  if (report.outcome === 'InsufficientData') {
    const message = `too few predictions to judge drift (${samples})`;
    return {
      status,
      conditions: [
        { type: 'InsufficientData', status: 'True', reason: 'TooFewSamples', message },
        { type: 'Drifted', status: 'Unknown', reason: 'InsufficientData', message },
        { type: 'Ready', status: 'True', reason: 'InsufficientData', message },
      ],
      announcement: { type: 'Normal', reason: 'InsufficientData', message },
    };
  }
  const flagged = tests
    .filter((test) => test.severity !== 'OK')
    .map(
      (test) =>
        `${test.feature} ${test.test} ${test.statistic?.toFixed(3) ?? '?'} (${test.severity})${newWords(test)}`,
    );
  const message = `severity ${report.severity} over ${samples}${flagged.length ? `: ${flagged.join(', ')}` : ''}${unjudged(tests)}`;
  const drifted = isDrift(report);
  return {
    status,
    conditions: [
      { type: 'InsufficientData', status: 'False', reason: 'EnoughSamples', message: samples },
      drifted
        ? { type: 'Drifted', status: 'True', reason: 'DriftDetected', message }
        : { type: 'Drifted', status: 'False', reason: 'NoDrift', message },
      { type: 'Ready', status: 'True', reason: 'Checked', message: `report ${report.id}: ${message}` },
    ],
    announcement: drifted
      ? { type: 'Warning', reason: 'DriftDetected', message }
      : { type: 'Normal', reason: 'Checked', message },
  };
}
