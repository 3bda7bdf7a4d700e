import type { QualityReport } from '@prodclass/catalog/quality/live-quality';
import { timestamp } from '@prodclass/kube/conditions';
import type { LiveQualityOfVersion, PredictionServiceStatus } from '../resources/types.js';

export type LiveQualityStatus = NonNullable<PredictionServiceStatus['liveQuality']>;

/** A version a track serves, with its offline test accuracy when MLflow records one. */
export interface ServedTrack {
  track: 'primary' | 'canary' | 'candidate';
  modelVersion: string;
  testAccuracy?: number | undefined;
  /** It serves calibrated confidences, whose mean estimates its accuracy. */
  calibrated?: boolean;
}

/** status.liveQuality from a report of the service's model: one entry per track, zeros where it served nothing. */
export function liveQualityStatus(
  report: QualityReport,
  window: string,
  tracks: ServedTrack[],
  observedAt: Date,
): LiveQualityStatus {
  const versions = tracks.map(({ track, modelVersion, testAccuracy, calibrated }): LiveQualityOfVersion => {
    const quality = report.versions.find((version) => version.modelVersion === modelVersion);
    return {
      modelVersion,
      track,
      served: quality?.served ?? 0,
      labeled: quality?.labeled ?? 0,
      coverage: quality?.coverage ?? 0,
      ...(quality?.accuracy != null ? { accuracy: quality.accuracy } : {}),
      ...(quality?.weightedF1 != null ? { weightedF1: quality.weightedF1 } : {}),
      ...(quality?.labelLagP50Seconds != null ? { labelLagP50Seconds: quality.labelLagP50Seconds } : {}),
      ...(calibrated && quality?.served ? { estimatedAccuracy: quality.estimatedAccuracy } : {}),
      ...(testAccuracy !== undefined ? { testAccuracy } : {}),
    };
  });
  return {
    window,
    from: timestamp(report.from),
    to: timestamp(report.to),
    observedTime: timestamp(observedAt),
    versions,
  };
}

/**
 * When status.liveQuality is next due: now when there is none, or it was computed for another
 * window or other versions; else `intervalMs` after it was computed.
 */
export function liveQualityDueAt(
  previous: LiveQualityStatus | undefined,
  window: string,
  tracks: Pick<ServedTrack, 'track' | 'modelVersion'>[],
  intervalMs: number,
): Date {
  const sameTracks = (status: LiveQualityStatus) =>
    status.versions.length === tracks.length &&
    tracks.every(
      (track, index) =>
        status.versions[index]?.track === track.track &&
        status.versions[index]?.modelVersion === track.modelVersion,
    );
  if (!previous || previous.window !== window || !sameTracks(previous)) return new Date(0);
  return new Date(Date.parse(previous.observedTime) + intervalMs);
}
