/**
 * Expected calibration error: the confidences (each row's largest probability) are put in equal-width
 * bins over [0, 1], right-closed as scikit-learn's calibration_curve bins them; ECE is the mean over
 * bins of |accuracy − mean confidence|, each bin weighted by its share of the rows.
 */
export const calibrationBins = 15;

export function expectedCalibrationError(
  confidences: ArrayLike<number>,
  correct: ArrayLike<boolean>,
  bins = calibrationBins,
): number {
  const rows = confidences.length;
  if (rows === 0) throw new Error('the calibration error needs at least one row');
  if (correct.length !== rows)
    throw new Error(`the calibration error got ${rows} confidences and ${correct.length} outcomes`);
  const count = new Float64Array(bins);
  const confidenceSum = new Float64Array(bins);
  const hits = new Float64Array(bins);
  for (let row = 0; row < rows; row++) {
    const confidence = confidences[row] as number;
    const bin = Math.min(bins - 1, Math.max(0, Math.ceil(confidence * bins) - 1));
    count[bin] = (count[bin] as number) + 1;
    confidenceSum[bin] = (confidenceSum[bin] as number) + confidence;
    if (correct[row]) hits[bin] = (hits[bin] as number) + 1;
  }
  let error = 0;
  for (let bin = 0; bin < bins; bin++) {
    if (count[bin] === 0) continue;
    error += Math.abs((hits[bin] as number) - (confidenceSum[bin] as number)) / rows;
  }
  return error;
}

/** Each row's largest probability and whether its class (the first of equals) is the true one. */
export function confidenceOutcomes(
  probabilities: Float64Array,
  classCount: number,
  labelIndices: ArrayLike<number>,
): { confidences: Float64Array; correct: boolean[] } {
  const rows = labelIndices.length;
  const confidences = new Float64Array(rows);
  const correct: boolean[] = [];
  for (let row = 0; row < rows; row++) {
    const offset = row * classCount;
    let best = 0;
    for (let index = 1; index < classCount; index++)
      if ((probabilities[offset + index] as number) > (probabilities[offset + best] as number)) best = index;
    confidences[row] = probabilities[offset + best] as number;
    correct.push(best === labelIndices[row]);
  }
  return { confidences, correct };
}
