import type { LabelledPairs, MeanConfidences } from '@prodclass/catalog/rollout/rollout-quality';
import { accuracyDropTest } from './accuracy-drop-test.js';
import type { AnalysisCheck, AnalysisThresholds } from './analysis.js';

/**
 * Each check of a rollout step from the numbers measured (docs/operator.md#rollout-analysis), with
 * a message that carries them, e.g. "agreement 0.41 < 0.80 over 2,310 shadow requests". A check
 * that could not be measured has passed false and says so in its message; it is never the failed one.
 */

const count = (value: number) => Math.round(value).toLocaleString('en-US');
const ratio = (value: number) => value.toFixed(2);
const percent = (value: number) => `${(value * 100).toFixed(1)}%`;
const milliseconds = (seconds: number) => {
  const ms = seconds * 1000;
  return `${ms < 10 ? ms.toFixed(2) : count(ms)} ms`;
};

/** Labelled pairs the sequential test needs before its decision replaces the calibrated estimate. */
export const minLabelledPairs = 30;

export function agreementCheck(
  pairs: number,
  agreeing: number,
  thresholds: Pick<AnalysisThresholds, 'minAgreement'>,
): AnalysisCheck {
  const threshold = thresholds.minAgreement;
  if (pairs === 0) {
    return notMeasured('agreement', threshold, 0, 'agreement not measured: no shadow requests yet');
  }
  const value = agreeing / pairs;
  const passed = value >= threshold;
  return {
    name: 'agreement',
    value,
    threshold,
    samples: pairs,
    passed,
    message: `agreement ${ratio(value)} ${passed ? '≥' : '<'} ${ratio(threshold)} over ${count(pairs)} shadow requests`,
  };
}

/** p99 of the candidate's model time per shadow prediction (its request never waited for it). */
export function shadowLatencyCheck(
  pairs: number,
  p99Ms: number | null,
  thresholds: Pick<AnalysisThresholds, 'maxLatencyP99Seconds'>,
): AnalysisCheck | undefined {
  if (pairs === 0 || p99Ms === null) return undefined;
  const value = p99Ms / 1000;
  const threshold = thresholds.maxLatencyP99Seconds;
  const passed = value <= threshold;
  return {
    name: 'latencyP99',
    value,
    threshold,
    samples: pairs,
    passed,
    message: `candidate model time p99 ${milliseconds(value)} ${passed ? '≤' : '>'} ${milliseconds(threshold)} over ${count(pairs)} shadow requests`,
  };
}

export function errorRateCheck(
  requests: number,
  errors: number,
  thresholds: Pick<AnalysisThresholds, 'maxErrorRate'>,
): AnalysisCheck {
  const threshold = thresholds.maxErrorRate;
  if (requests === 0) {
    return notMeasured(
      'errorRate',
      threshold,
      0,
      'error rate not measured: the candidate answered no requests yet',
    );
  }
  const value = errors / requests;
  const passed = value <= threshold;
  return {
    name: 'errorRate',
    value,
    threshold,
    samples: requests,
    passed,
    message: `error rate ${percent(value)} ${passed ? '≤' : '>'} ${percent(threshold)} (${count(errors)} 5xx) over ${count(requests)} candidate requests`,
  };
}

export function latencyCheck(
  requests: number,
  p99Seconds: number | undefined,
  thresholds: Pick<AnalysisThresholds, 'maxLatencyP99Seconds'>,
): AnalysisCheck {
  const threshold = thresholds.maxLatencyP99Seconds;
  if (requests === 0 || p99Seconds === undefined) {
    return notMeasured(
      'latencyP99',
      threshold,
      requests,
      'p99 latency not measured: the candidate answered no requests yet',
    );
  }
  const passed = p99Seconds <= threshold;
  return {
    name: 'latencyP99',
    value: p99Seconds,
    threshold,
    samples: requests,
    passed,
    message: `p99 latency ${milliseconds(p99Seconds)} ${passed ? '≤' : '>'} ${milliseconds(threshold)} over ${count(requests)} candidate requests`,
  };
}

export interface QualityEvidence {
  step: 'shadow' | 'canary';
  labelled: LabelledPairs;
  confidences: MeanConfidences;
  /** Whether each version serves calibrated confidences, whose mean estimates its accuracy. */
  championCalibrated: boolean;
  candidateCalibrated: boolean;
  candidateVersion: string;
  championVersion: string;
}

const pairsName = (step: QualityEvidence['step']) =>
  step === 'shadow' ? 'labelled shadow pairs' : 'labelled predictions of each version';

/** The labelled accuracies, judged by the sequential test. */
function labelledChecks(evidence: QualityEvidence, drop: number): AnalysisCheck[] {
  const { labelled } = evidence;
  const candidate = labelled.candidateRight / labelled.pairs;
  const champion = labelled.championRight / labelled.pairs;
  const decision = accuracyDropTest(
    {
      championOnly: labelled.championOnly,
      candidateOnly: labelled.candidateOnly,
      ties: labelled.pairs - labelled.championOnly - labelled.candidateOnly,
    },
    drop,
  );
  const passed = !decision.rejected;
  const over = `over ${count(labelled.pairs)} ${pairsName(evidence.step)}`;
  const evidenceText = `evidence ${decision.evidence.toPrecision(3)} ${passed ? '<' : '≥'} ${decision.threshold}`;
  const accuracyText = `live accuracy ${ratio(candidate)} vs ${ratio(champion)} of the champion ${over}`;
  return [
    {
      name: 'liveAccuracy',
      value: candidate,
      threshold: champion - drop,
      samples: labelled.pairs,
      passed,
      message: passed
        ? `${accuracyText}: no evidence of a drop above ${ratio(drop)} (${evidenceText})`
        : `${accuracyText}: a drop above ${ratio(drop)} (sequential test ${evidenceText})`,
    },
    {
      name: 'sequentialTest',
      value: decision.evidence,
      threshold: decision.threshold,
      samples: labelled.pairs,
      passed,
      message: `sequential test of an accuracy drop above ${ratio(drop)}: ${evidenceText} ${over}`,
    },
  ];
}

/** The calibrated estimates: each version's mean served confidence. */
function estimatedCheck(
  evidence: QualityEvidence,
  champion: number,
  candidate: number,
  drop: number,
): AnalysisCheck {
  const { confidences, labelled, step } = evidence;
  const threshold = champion - drop;
  const passed = candidate >= threshold;
  return {
    name: 'estimatedAccuracy',
    value: candidate,
    threshold,
    samples: confidences.predictions,
    passed,
    message: `estimated accuracy ${ratio(candidate)} ${passed ? '≥' : '<'} ${ratio(threshold)} (the champion's ${ratio(champion)} − ${ratio(drop)}) over ${count(confidences.predictions)} ${step === 'shadow' ? 'shadow requests' : 'candidate predictions'}, ${count(labelled.pairs)} ${pairsName(step)} (the sequential test needs ${minLabelledPairs})`,
  };
}

/**
 * Live accuracy against the champion's, judged by the sequential test once there are
 * minLabelledPairs labelled pairs; with fewer, the calibrated estimates; with neither, not measured.
 */
export function qualityChecks(
  evidence: QualityEvidence,
  thresholds: Pick<AnalysisThresholds, 'maxAccuracyDrop'>,
): AnalysisCheck[] {
  const { labelled, confidences } = evidence;
  const drop = thresholds.maxAccuracyDrop;
  if (labelled.pairs >= minLabelledPairs) return labelledChecks(evidence, drop);
  const calibrated = evidence.candidateCalibrated && evidence.championCalibrated;
  if (calibrated && confidences.candidate !== null && confidences.champion !== null)
    return [estimatedCheck(evidence, confidences.champion, confidences.candidate, drop)];
  const uncalibrated = [
    ...(evidence.championCalibrated ? [] : [evidence.championVersion]),
    ...(evidence.candidateCalibrated ? [] : [evidence.candidateVersion]),
  ];
  const why =
    uncalibrated.length > 0
      ? `version ${uncalibrated.join(' and ')} ${uncalibrated.length > 1 ? 'serve' : 'serves'} uncalibrated confidences, so no estimate`
      : 'no predictions to estimate from';
  return [
    notMeasured(
      'liveAccuracy',
      drop,
      labelled.pairs,
      `live accuracy not measured: ${count(labelled.pairs)} ${pairsName(evidence.step)}, the sequential test needs ${minLabelledPairs}; ${why}`,
    ),
  ];
}

/** Checks that could not be measured: passed false, yet never the failed one. */
const unmeasured = new WeakSet<AnalysisCheck>();

function notMeasured(
  name: AnalysisCheck['name'],
  threshold: number,
  samples: number,
  message: string,
): AnalysisCheck {
  const check: AnalysisCheck = { name, value: 0, threshold, samples, passed: false, message };
  unmeasured.add(check);
  return check;
}

/** Whether a check was measured: one that was not has neither passed nor failed. */
export function isMeasured(check: AnalysisCheck): boolean {
  return !unmeasured.has(check);
}

/** The first check that was measured and failed. */
export function firstFailure(checks: AnalysisCheck[]): AnalysisCheck | undefined {
  return checks.find((check) => !check.passed && isMeasured(check));
}
