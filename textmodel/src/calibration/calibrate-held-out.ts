import { confidenceOutcomes, expectedCalibrationError } from './expected-calibration-error.js';
import { applyTemperature, type Calibration, fitTemperature } from './temperature-scaling.js';

export interface HeldOutCalibration {
  calibration: Calibration;
  /** Rows the temperature was fitted on: the held-out rows whose class the model knows. */
  rows: number;
  /** Mean log loss of the true classes, raw and calibrated (in-sample). */
  logLossBefore: number;
  logLossAfter: number;
  /** ECE of the raw probabilities. */
  eceBefore: number;
  /**
   * ECE after calibration, cross-fitted: each half of the rows (even and odd positions) calibrated
   * with the temperature fitted on the other half, so that the figure is not flattered by fitting
   * and measuring on the same rows.
   */
  eceAfter: number;
}

/** Rows of `indices` from row-major probabilities. */
function rowsOf(probabilities: Float64Array, classCount: number, indices: readonly number[]): Float64Array {
  const picked = new Float64Array(indices.length * classCount);
  indices.forEach((row, position) => {
    picked.set(probabilities.subarray(row * classCount, (row + 1) * classCount), position * classCount);
  });
  return picked;
}

/**
 * Fits the temperature of a model on held-out rows (row-major `probabilities` in `classes` order,
 * `labels` the true codes) and measures the calibration error before and after. A row whose code
 * the model never learned counts as a miss in the ECE and is left out of the fit.
 */
export function calibrateHeldOut(
  probabilities: Float64Array,
  classes: readonly number[],
  labels: readonly number[],
): HeldOutCalibration {
  const classCount = classes.length;
  const columnOf = new Map(classes.map((code, column) => [code, column]));
  const labelIndices = labels.map((code) => columnOf.get(code) ?? -1);
  const known = labelIndices.flatMap((column, row) => (column >= 0 ? [row] : []));
  const fitOn = (rows: readonly number[]) =>
    fitTemperature(
      rowsOf(probabilities, classCount, rows),
      classCount,
      rows.map((row) => labelIndices[row] as number),
    );
  const fit = fitOn(known);

  const before = confidenceOutcomes(probabilities, classCount, labelIndices);
  const halves = [
    known.filter((_, position) => position % 2 === 0),
    known.filter((_, position) => position % 2 === 1),
  ];
  const crossFitted = applyTemperature(probabilities, classCount, fit.temperature);
  if (halves.every((half) => half.length > 0)) {
    halves.forEach((half, which) => {
      const { temperature } = fitOn(halves[1 - which] as number[]);
      for (const row of half)
        crossFitted.set(
          applyTemperature(
            probabilities.subarray(row * classCount, (row + 1) * classCount),
            classCount,
            temperature,
          ),
          row * classCount,
        );
    });
  }
  const after = confidenceOutcomes(crossFitted, classCount, labelIndices);
  return {
    calibration: { method: 'temperature', temperature: fit.temperature },
    rows: known.length,
    logLossBefore: fit.logLossBefore,
    logLossAfter: fit.logLossAfter,
    eceBefore: expectedCalibrationError(before.confidences, before.correct),
    eceAfter: expectedCalibrationError(after.confidences, after.correct),
  };
}
