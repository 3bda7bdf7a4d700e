import {
  labelledPairs,
  meanConfidences,
  type RolloutQualityWindow,
} from '@prodclass/catalog/rollout/rollout-quality';
import { shadowComparison } from '@prodclass/catalog/rollout/shadow-comparison';
import pg from 'pg';
import { canaryMetrics } from './canary-metrics.js';
import {
  agreementCheck,
  errorRateCheck,
  firstFailure,
  latencyCheck,
  qualityChecks,
  shadowLatencyCheck,
} from './checks.js';

/**
 * The analysis a Progressive rollout's step is judged by (docs/operator.md#rollout-analysis): the
 * shadow step from the shadow pairs in PostgreSQL, the canary steps from the model servers'
 * metrics in Prometheus, both from the labels and calibrated confidences of the step's predictions.
 */

export interface AnalysisThresholds {
  minAgreement: number;
  maxErrorRate: number;
  maxLatencyP99Seconds: number;
  maxAccuracyDrop: number;
}

export interface RolloutStepWindow {
  /** The ModelPromotion's namespace (the PredictionService pods' namespace). */
  namespace: string;
  registeredModel: string;
  /** The alias's version when the rollout started. */
  championVersion: string;
  /** spec.version. */
  candidateVersion: string;
  step: 'shadow' | 'canary';
  /** When the step started. */
  since: Date;
  /** Now. */
  until: Date;
}

export interface AnalysisCheck {
  name: 'agreement' | 'errorRate' | 'latencyP99' | 'liveAccuracy' | 'estimatedAccuracy' | 'sequentialTest';
  value: number;
  threshold: number;
  samples: number;
  /**
   * The check was measured and met its threshold. A check that could not be measured (no
   * requests or labels yet, no calibrated estimate) has passed false and says so in its message,
   * but is never StepAnalysis.failed: decide on `failed`, and wait for `requests`.
   */
  passed: boolean;
  /** e.g. "agreement 0.41 < 0.80 over 2,310 shadow requests". */
  message: string;
}

export interface StepAnalysis {
  /** Shadow pairs (shadow step) or candidate answers (canary step) in the window. */
  requests: number;
  /** Every check of this step, measured or not. */
  checks: AnalysisCheck[];
  /** The first failing check, if any. */
  failed: AnalysisCheck | undefined;
}

export interface RolloutAnalyzer {
  analyze(window: RolloutStepWindow, thresholds: AnalysisThresholds): Promise<StepAnalysis>;
}

export interface RolloutAnalysisOptions {
  databaseUrl: string;
  /** The Prometheus that scrapes the model servers; canary steps cannot be analysed without it. */
  prometheusUrl: string | undefined;
  /** Whether a version serves calibrated confidences (its training logged a calibration). */
  isCalibrated(registeredModel: string, version: string): Promise<boolean>;
}

/** The analysis over PostgreSQL (one connection) and Prometheus. */
export class RolloutAnalysis implements RolloutAnalyzer {
  readonly #pool: pg.Pool;
  readonly #prometheusUrl: string | undefined;
  readonly #isCalibrated: RolloutAnalysisOptions['isCalibrated'];

  constructor(options: RolloutAnalysisOptions) {
    this.#pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: 1,
      connectionTimeoutMillis: 5000,
    });
    // An idle connection the server dropped is replaced on the next query; nothing to do here.
    this.#pool.on('error', () => {});
    this.#prometheusUrl = options.prometheusUrl;
    this.#isCalibrated = options.isCalibrated;
  }

  async analyze(window: RolloutStepWindow, thresholds: AnalysisThresholds): Promise<StepAnalysis> {
    const qualityWindow: RolloutQualityWindow = {
      modelName: window.registeredModel,
      championVersion: window.championVersion,
      candidateVersion: window.candidateVersion,
      from: window.since,
      to: window.until,
    };
    // Prometheus first: a canary step that cannot be measured fails before any other query.
    const canary = window.step === 'canary' ? await this.#canaryTraffic(window, thresholds) : undefined;
    const [championCalibrated, candidateCalibrated] = await Promise.all([
      this.#isCalibrated(window.registeredModel, window.championVersion),
      this.#isCalibrated(window.registeredModel, window.candidateVersion),
    ]);
    const client = await this.#pool.connect();
    try {
      // One connection: one query after the other.
      const traffic = canary ?? (await this.#shadowTraffic(client, qualityWindow, thresholds));
      const labelled = await labelledPairs(client, window.step, qualityWindow);
      const confidences = await meanConfidences(client, window.step, qualityWindow);
      const checks = [
        ...traffic.checks,
        ...qualityChecks(
          {
            step: window.step,
            labelled,
            confidences,
            championCalibrated,
            candidateCalibrated,
            championVersion: window.championVersion,
            candidateVersion: window.candidateVersion,
          },
          thresholds,
        ),
      ];
      return { requests: traffic.requests, checks, failed: firstFailure(checks) };
    } finally {
      client.release();
    }
  }

  async #shadowTraffic(client: pg.ClientBase, window: RolloutQualityWindow, thresholds: AnalysisThresholds) {
    const comparisons = await shadowComparison(client, {
      modelName: window.modelName,
      candidateVersion: window.candidateVersion,
      from: window.from,
      to: window.to,
    });
    const comparison = comparisons.find(({ primaryVersion }) => primaryVersion === window.championVersion);
    const pairs = comparison?.pairs ?? 0;
    const latency = shadowLatencyCheck(pairs, comparison?.candidate.p99Ms ?? null, thresholds);
    return {
      requests: pairs,
      checks: [agreementCheck(pairs, comparison?.agreeing ?? 0, thresholds), ...(latency ? [latency] : [])],
    };
  }

  async #canaryTraffic(window: RolloutStepWindow, thresholds: AnalysisThresholds) {
    if (!this.#prometheusUrl) {
      throw new Error(
        "Prometheus is not configured (the operator's PROMETHEUS_URL is unset): a canary step's error rate and p99 latency are read from it",
      );
    }
    const metrics = await canaryMetrics(this.#prometheusUrl, window).catch((error: Error) => {
      throw new Error(`cannot read the canary's error rate and p99 latency: ${error.message}`);
    });
    return {
      requests: metrics.requests,
      checks: [
        errorRateCheck(metrics.requests, metrics.errors, thresholds),
        latencyCheck(metrics.requests, metrics.p99Seconds, thresholds),
      ],
    };
  }

  close(): Promise<void> {
    return this.#pool.end();
  }
}
