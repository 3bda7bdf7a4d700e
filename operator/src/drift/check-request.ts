import type { DriftCheckRequest, PerformanceReference } from '@prodclass/catalog/drift/report';
import type { DriftMonitorSettings } from '../resources/types.js';

/** The registered model a monitor compares; for a TrainingData reference, the version and its data load. */
export interface ModelUnderWatch {
  name: string;
  referenceVersion?: string;
  trainingData?: string;
  /** For a performance test: the served version and its test accuracy, or why they are unknown. */
  performance?: PerformanceReference;
}

/** The drift check a monitor asks for at `now`: the current window, and the window before it or the training data. */
export function driftRequest(
  monitor: string,
  spec: DriftMonitorSettings,
  model: ModelUnderWatch,
  now: Date,
): DriftCheckRequest {
  const currentFrom = new Date(now.getTime() - spec.currentWindowMs);
  return {
    monitor,
    modelName: model.name,
    current: { from: currentFrom, to: now },
    reference:
      spec.referenceWindow.source === 'TrainingData'
        ? {
            kind: 'trainingData',
            modelVersion: model.referenceVersion ?? '',
            dataVersion: model.trainingData,
          }
        : {
            kind: 'window',
            from: new Date(currentFrom.getTime() - spec.referenceWindow.lengthMs),
            to: currentFrom,
          },
    tests: spec.tests,
    thresholds: spec.thresholds,
    minSamples: spec.minSamples,
    ...(model.performance ? { performance: model.performance } : {}),
  };
}
