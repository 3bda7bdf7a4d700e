import type { LiveQuality } from '../quality/live-quality.js';
import type { PerformanceMeasure, PerformanceReference } from './report.js';

/** The performance test's outcome before thresholds: a statistic to grade, or why there is none. */
export type PerformanceOutcome =
  | { statistic: number; performance: PerformanceMeasure }
  | { notApplicable: string; performance?: PerformanceMeasure };

/**
 * The performance test (docs/drift.md): the served version's offline test accuracy minus its live
 * accuracy over the current window, so a drop grades like any other drift score (higher is worse;
 * a version doing better live than on its test set scores below zero, OK). With fewer labels than
 * minLabels, a version that serves calibrated confidences is judged on its estimated accuracy
 * instead. `quality` is the version's live quality in the window, absent when it served nothing
 * there.
 */
export function measurePerformance(
  reference: PerformanceReference | undefined,
  quality: LiveQuality | undefined,
): PerformanceOutcome {
  if (!reference) return { notApplicable: 'no served version was named to judge' };
  if ('unknown' in reference) return { notApplicable: reference.unknown };
  const labeled = quality?.labeled ?? 0;
  const performance: PerformanceMeasure = {
    modelVersion: reference.modelVersion,
    served: quality?.served ?? 0,
    labeled,
    minLabels: reference.minLabels,
    liveAccuracy: quality?.accuracy ?? null,
    estimatedAccuracy: reference.calibrated && quality?.served ? quality.estimatedAccuracy : null,
    testAccuracy: reference.testAccuracy,
    insufficientLabels: labeled < reference.minLabels,
    judgedOn: null,
  };
  if (!performance.insufficientLabels && performance.liveAccuracy !== null)
    return {
      statistic: reference.testAccuracy - performance.liveAccuracy,
      performance: { ...performance, judgedOn: 'labels' },
    };
  if (performance.estimatedAccuracy !== null)
    return {
      statistic: reference.testAccuracy - performance.estimatedAccuracy,
      performance: { ...performance, judgedOn: 'estimate' },
    };
  return {
    notApplicable: `insufficient labels: ${labeled} labeled predictions of version ${reference.modelVersion}, minLabels is ${reference.minLabels}${reference.calibrated ? '' : ', and it serves uncalibrated confidences (trained before calibration), so no estimate'}`,
    performance,
  };
}
