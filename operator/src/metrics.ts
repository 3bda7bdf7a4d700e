import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

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

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'prodclass_operator_' });
  }
}
