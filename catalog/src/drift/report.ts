/** The drift contract: what a drift check is asked, and the report it answers (docs/drift.md). */

export type DriftSeverity = 'OK' | 'WARNING' | 'ALERT' | 'CRITICAL';
export type DriftFeature = 'text_length' | 'predicted_class' | 'confidence' | 'tokens' | 'accuracy';
export type DriftTest = 'psi' | 'ks' | 'jensen_shannon' | 'chi2' | 'oov_share' | 'performance';

/** A test's statistic at or above `warning` is WARNING, and so on up to CRITICAL. */
export interface SeverityThresholds {
  warning: number;
  alert: number;
  critical: number;
}

export interface DriftTestSpec {
  feature: DriftFeature;
  test: DriftTest;
  thresholds?: SeverityThresholds;
}

export type ReferenceWindow =
  | { kind: 'window'; from: Date; to: Date }
  | {
      kind: 'trainingData';
      modelVersion: string;
      /** The data load the version was trained on (its prodclass.data_version tag: trainingDataVersion()). */
      dataVersion?: string;
    };

/**
 * What the performance test compares live accuracy with: the served version and its offline test
 * accuracy, or why they are not known (no version served yet, no test_accuracy in MLflow).
 */
export type PerformanceReference =
  | {
      modelVersion: string;
      testAccuracy: number;
      minLabels: number;
      /** The version serves calibrated confidences: their mean estimates its accuracy. */
      calibrated: boolean;
    }
  | { unknown: string };

export interface DriftCheckRequest {
  /** Who asks: "namespace/name" of a DriftMonitor, or a CLI label. */
  monitor: string;
  /** Registered model whose inference_log rows are compared. */
  modelName: string;
  /** Only rows answered by this version. */
  modelVersion?: string;
  current: { from: Date; to: Date };
  reference: ReferenceWindow;
  tests: DriftTestSpec[];
  /** For tests without thresholds of their own. */
  thresholds: SeverityThresholds;
  /** Both windows need at least this many rows, else the outcome is InsufficientData. */
  minSamples: number;
  /** For an accuracy/performance test. */
  performance?: PerformanceReference;
}

/** The performance test's numbers (catalog/src/drift/performance.ts). */
export interface PerformanceMeasure {
  modelVersion: string;
  served: number;
  labeled: number;
  minLabels: number;
  liveAccuracy: number | null;
  /** Mean calibrated confidence of its served predictions; null when uncalibrated or nothing served. */
  estimatedAccuracy: number | null;
  testAccuracy: number;
  /** labeled < minLabels: the live accuracy is not graded. */
  insufficientLabels: boolean;
  /** What the statistic compared with the test accuracy; null when the test was not graded. */
  judgedOn: 'labels' | 'estimate' | null;
}

export interface DriftTestResult {
  feature: DriftFeature;
  test: DriftTest;
  /** What the thresholds compare: see docs/drift.md for each test. */
  statistic: number;
  pValue: number | null;
  /** The χ² value itself, for the chi2 test (whose statistic is Cramér's V). */
  chiSquare?: number;
  bins: { edges?: number[]; labels?: string[]; reference: number[]; current: number[] };
  severity: DriftSeverity;
  /** Set when the test could not be computed (e.g. no reference for confidence under trainingData); severity is then OK. */
  notApplicable?: string;
  /**
   * tokens/oov_share above OK against a reference window: the current window's words most frequent
   * among those the reference's texts never used (catalog/src/drift/unknown-words.ts).
   */
  unknownWords?: { word: string; count: number }[];
  /** Why unknownWords is missing although the test is above OK (e.g. the count timed out). */
  unknownWordsSkipped?: string;
  /** accuracy/performance: what was compared (absent when notApplicable says why it could not be). */
  performance?: PerformanceMeasure;
}

export interface DriftReport {
  id: string;
  monitor: string;
  modelName: string;
  modelVersion: string | null;
  checkedAt: Date;
  current: { from: Date; to: Date; samples: number };
  reference: { kind: 'window' | 'trainingData'; from: Date | null; to: Date | null; samples: number };
  outcome: 'Checked' | 'InsufficientData';
  /** Worst of the tests; OK when InsufficientData. */
  severity: DriftSeverity;
  tests: DriftTestResult[];
}

export const defaultSeverityThresholds: SeverityThresholds = { warning: 0.1, alert: 0.2, critical: 0.3 };

export const defaultDriftTests: DriftTestSpec[] = [
  { feature: 'text_length', test: 'psi' },
  { feature: 'text_length', test: 'ks' },
  { feature: 'text_length', test: 'jensen_shannon' },
  { feature: 'predicted_class', test: 'chi2' },
  { feature: 'predicted_class', test: 'psi' },
  { feature: 'confidence', test: 'psi' },
  { feature: 'confidence', test: 'ks' },
  { feature: 'tokens', test: 'oov_share' },
];

const severityOrder: DriftSeverity[] = ['OK', 'WARNING', 'ALERT', 'CRITICAL'];

export function severityOf(statistic: number, thresholds: SeverityThresholds): DriftSeverity {
  if (statistic >= thresholds.critical) return 'CRITICAL';
  if (statistic >= thresholds.alert) return 'ALERT';
  if (statistic >= thresholds.warning) return 'WARNING';
  return 'OK';
}

export function worstSeverity(severities: readonly DriftSeverity[]): DriftSeverity {
  let worst = 0;
  for (const severity of severities) worst = Math.max(worst, severityOrder.indexOf(severity));
  return severityOrder[worst] ?? 'OK';
}
