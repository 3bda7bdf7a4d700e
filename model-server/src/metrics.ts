import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { RequestHistogram } from './request-histogram.js';

/**
 * Predictions since the last scrape, by model version and code, handed to the prom-client
 * counter when it is collected: a Map update per prediction instead of prom-client's label hashing.
 */
class PredictionTally {
  private readonly byVersion = new Map<string, Map<number, number>>();

  add(modelVersion: string, prdtypecode: number): void {
    let byCode = this.byVersion.get(modelVersion);
    if (!byCode) {
      byCode = new Map();
      this.byVersion.set(modelVersion, byCode);
    }
    byCode.set(prdtypecode, (byCode.get(prdtypecode) ?? 0) + 1);
  }

  drainInto(counter: Counter<'prdtypecode' | 'model_version'>): void {
    for (const [modelVersion, byCode] of this.byVersion) {
      for (const [prdtypecode, count] of byCode) {
        counter.inc({ prdtypecode, model_version: modelVersion }, count);
      }
    }
    this.byVersion.clear();
  }
}

/** The server's Prometheus metrics, in a registry of its own (several servers can share a process in tests). */
export function createServerMetrics({
  inferenceLogDepth,
  inferenceLogSpool,
  shadowQueueDepth,
}: {
  inferenceLogDepth: () => number;
  inferenceLogSpool: () => { rows: number; bytes: number };
  shadowQueueDepth: () => number;
}) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'prodclass_' });
  // prom-client names these gauges *_total, which promtool (rightly) rejects for non-counters.
  for (const gauge of ['active_handles_total', 'active_requests_total', 'active_resources_total']) {
    registry.removeSingleMetric(`prodclass_nodejs_${gauge}`);
  }
  const registers = [registry];
  const predictionTally = new PredictionTally();
  // Registered with the registry, which collects it; predictions reach it through the tally.
  new Counter({
    name: 'prodclass_predictions_total',
    help: 'Predictions answered, by predicted product-type code and model version.',
    labelNames: ['prdtypecode', 'model_version'] as const,
    registers,
    collect() {
      predictionTally.drainInto(this);
    },
  });
  // The histograms every prediction observes are cheaper than prom-client's (see RequestHistogram).
  const predictionDuration = new RequestHistogram(
    'prodclass_prediction_request_duration_seconds',
    'Time from receiving a successful prediction request to sending its answer, by route and the track that answered (candidate when the candidate answered any of its products).',
    [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    ['route', 'track'],
    registry,
  );
  const textLength = new RequestHistogram(
    'prodclass_prediction_text_length_characters',
    'Characters of designation plus description of each predicted product.',
    [10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000],
    [],
    registry,
  );
  const confidence = new RequestHistogram(
    'prodclass_prediction_confidence',
    'Probability of the predicted class.',
    [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99],
    [],
    registry,
  );
  return {
    registry,
    countPrediction: (modelVersion: string, prdtypecode: number) =>
      predictionTally.add(modelVersion, prdtypecode),
    predictionDuration,
    textLength,
    confidence,
    modelInfo: new Gauge({
      name: 'prodclass_model_info',
      help: 'The model being served (value 1).',
      labelNames: ['name', 'version', 'alias'] as const,
      registers,
    }),
    modelLoadedTime: new Gauge({
      name: 'prodclass_model_loaded_timestamp_seconds',
      help: 'When the model being served was loaded, in Unix seconds.',
      registers,
    }),
    modelReloads: new Counter({
      name: 'prodclass_model_reloads_total',
      help: 'Model loads by result: success (a new model serves) or failure (the previous one stays).',
      labelNames: ['result'] as const,
      registers,
    }),
    inferenceLogQueueDepth: new Gauge({
      name: 'prodclass_inference_log_queue_depth',
      help: 'Prediction records waiting to be written to the inference log.',
      registers,
      collect() {
        this.set(inferenceLogDepth());
      },
    }),
    inferenceLogWritten: new Counter({
      name: 'prodclass_inference_log_written_total',
      help: 'Prediction records written to the inference log.',
      registers,
    }),
    inferenceLogDropped: new Counter({
      name: 'prodclass_inference_log_dropped_total',
      help: 'Prediction records never written, by reason (queue_full, write_failed, spool_full).',
      labelNames: ['reason'] as const,
      registers,
    }),
    inferenceLogSpooled: new Counter({
      name: 'prodclass_inference_log_spooled_total',
      help: 'Prediction records kept in the local spool while PostgreSQL was away.',
      registers,
    }),
    inferenceLogSpoolRows: new Gauge({
      name: 'prodclass_inference_log_spool_rows',
      help: 'Prediction records in the local spool, waiting for PostgreSQL.',
      registers,
      collect() {
        this.set(inferenceLogSpool().rows);
      },
    }),
    inferenceLogSpoolBytes: new Gauge({
      name: 'prodclass_inference_log_spool_bytes',
      help: 'Bytes of the local spool (at most INFERENCE_LOG_SPOOL_BYTES).',
      registers,
      collect() {
        this.set(inferenceLogSpool().bytes);
      },
    }),
    feedbackLabelsWritten: new Counter({
      name: 'prodclass_feedback_labels_written_total',
      help: 'Predictions labeled through POST /feedback and /feedback/batch.',
      registers,
    }),
    candidateModelInfo: new Gauge({
      name: 'prodclass_candidate_model_info',
      help: 'The candidate model loaded beside the primary for canary and shadow traffic (value 1).',
      labelNames: ['name', 'version', 'alias'] as const,
      registers,
    }),
    shadowPredictions: new Counter({
      name: 'prodclass_shadow_predictions_total',
      help: "Shadow predictions of the candidate, by its version and whether it agreed with the primary's answer.",
      labelNames: ['model_version', 'agrees'] as const,
      registers,
    }),
    shadowDropped: new Counter({
      name: 'prodclass_shadow_dropped_total',
      help: 'Mirrored predictions the candidate never made, by reason (queue_full, no_model, failed).',
      labelNames: ['reason'] as const,
      registers,
    }),
    shadowQueueDepth: new Gauge({
      name: 'prodclass_shadow_queue_depth',
      help: 'Mirrored predictions waiting for the candidate.',
      registers,
      collect() {
        this.set(shadowQueueDepth());
      },
    }),
    httpErrors: new Counter({
      name: 'prodclass_http_errors_total',
      help: 'Responses with a 4xx or 5xx status, by route, status code and the track that answered (candidate when the candidate was to answer any of its products).',
      labelNames: ['route', 'status_code', 'track'] as const,
      registers,
    }),
  };
}

export type ServerMetrics = ReturnType<typeof createServerMetrics>;
