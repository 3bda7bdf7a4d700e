import type { DriftSeverity } from '@prodclass/catalog/drift/report';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

const liveQualityLabels = ['namespace', 'service', 'model_version'] as const;

const severityLevels: Record<DriftSeverity, number> = { OK: 0, WARNING: 1, ALERT: 2, CRITICAL: 3 };

/** The operator's Prometheus metrics, in one registry served at /metrics. */
export class OperatorMetrics {
  readonly registry = new Registry();
  readonly reconciles = new Counter({
    name: 'prodclass_operator_reconciles_total',
    help: 'Reconciles by kind and result (success, requeue, conflict, error)',
    labelNames: ['kind', 'result'] as const,
    registers: [this.registry],
  });
  readonly errors = new Counter({
    name: 'prodclass_operator_reconcile_errors_total',
    help: 'Reconciles that failed with an error (conflicts included), by kind',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  readonly duration = new Histogram({
    name: 'prodclass_operator_reconcile_duration_seconds',
    help: 'Time one reconcile took, by kind',
    labelNames: ['kind'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  readonly queueDepth = new Gauge({
    name: 'prodclass_operator_queue_depth',
    help: 'Keys waiting in the work queue, by kind',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  readonly watchRestarts = new Counter({
    name: 'prodclass_operator_watch_restarts_total',
    help: 'Watches restarted after an error or a stall, by resource',
    labelNames: ['resource'] as const,
    registers: [this.registry],
  });
  readonly leader = new Gauge({
    name: 'prodclass_operator_leader',
    help: '1 while this replica holds the leader lease',
    registers: [this.registry],
  });
  readonly driftScore = new Gauge({
    name: 'prodclass_drift_score',
    help: "Statistic of each test in a DriftMonitor's latest check, by monitor (namespace/name), feature and test",
    labelNames: ['monitor', 'feature', 'test'] as const,
    registers: [this.registry],
  });
  readonly driftSeverity = new Gauge({
    name: 'prodclass_drift_severity',
    help: "Worst severity of a DriftMonitor's latest check: 0 OK (or too little data), 1 WARNING, 2 ALERT, 3 CRITICAL",
    labelNames: ['monitor'] as const,
    registers: [this.registry],
  });
  /** The feature/test pairs each monitor's scores were exported for, so a new check replaces them all. */
  readonly #driftTests = new Map<string, { feature: string; test: string }[]>();
  readonly liveAccuracy = new Gauge({
    name: 'prodclass_live_accuracy',
    help: "Share of a served version's labeled predictions that were right, over its PredictionService's spec.liveQuality.window",
    labelNames: liveQualityLabels,
    registers: [this.registry],
  });
  readonly labelCoverage = new Gauge({
    name: 'prodclass_label_coverage',
    help: "Share of a served version's predictions in the window that have a label",
    labelNames: liveQualityLabels,
    registers: [this.registry],
  });
  readonly liveLabels = new Gauge({
    name: 'prodclass_live_labels',
    help: "Labeled predictions of a served version in its PredictionService's window (what prodclass_live_accuracy is computed over)",
    labelNames: liveQualityLabels,
    registers: [this.registry],
  });
  readonly testAccuracy = new Gauge({
    name: 'prodclass_model_test_accuracy',
    help: "A served version's accuracy on its held-out test set (MLflow metric test_accuracy), to compare live accuracy with",
    labelNames: liveQualityLabels,
    registers: [this.registry],
  });
  readonly estimatedAccuracy = new Gauge({
    name: 'prodclass_estimated_accuracy',
    help: "A calibrated served version's mean confidence over its PredictionService's window: its accuracy estimated without labels",
    labelNames: liveQualityLabels,
    registers: [this.registry],
  });
  /** The versions each service's live quality was exported for ("namespace/service"), so a new report replaces them. */
  readonly #liveVersions = new Map<string, string[]>();

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'prodclass_operator_' });
  }

  /** Exports a monitor's latest check; without one (or for a deleted monitor) its series are removed. */
  setDrift(
    monitor: string,
    check?: { severity: DriftSeverity; tests: { feature: string; test: string; statistic?: number }[] },
  ): void {
    for (const { feature, test } of this.#driftTests.get(monitor) ?? [])
      this.driftScore.remove({ monitor, feature, test });
    this.#driftTests.delete(monitor);
    if (!check) {
      this.driftSeverity.remove({ monitor });
      return;
    }
    this.driftSeverity.set({ monitor }, severityLevels[check.severity]);
    const scored = check.tests.filter((test) => test.statistic !== undefined);
    for (const { feature, test, statistic } of scored)
      this.driftScore.set({ monitor, feature, test }, statistic as number);
    this.#driftTests.set(monitor, scored);
  }

  /** Exports a PredictionService's live quality; without one (or for a deleted service) its series are removed. */
  setLiveQuality(
    service: { namespace: string; name: string },
    versions?: {
      modelVersion: string;
      labeled: number;
      coverage: number;
      accuracy?: number;
      estimatedAccuracy?: number;
      testAccuracy?: number;
    }[],
  ): void {
    const key = `${service.namespace}/${service.name}`;
    const gauges = [
      this.liveAccuracy,
      this.labelCoverage,
      this.liveLabels,
      this.testAccuracy,
      this.estimatedAccuracy,
    ];
    for (const model_version of this.#liveVersions.get(key) ?? [])
      for (const gauge of gauges)
        gauge.remove({ namespace: service.namespace, service: service.name, model_version });
    this.#liveVersions.delete(key);
    if (!versions) return;
    for (const version of versions) {
      const labels = {
        namespace: service.namespace,
        service: service.name,
        model_version: version.modelVersion,
      };
      this.liveLabels.set(labels, version.labeled);
      this.labelCoverage.set(labels, version.coverage);
      if (version.accuracy !== undefined) this.liveAccuracy.set(labels, version.accuracy);
      if (version.testAccuracy !== undefined) this.testAccuracy.set(labels, version.testAccuracy);
      if (version.estimatedAccuracy !== undefined)
        this.estimatedAccuracy.set(labels, version.estimatedAccuracy);
    }
    this.#liveVersions.set(
      key,
      versions.map((version) => version.modelVersion),
    );
  }
}
