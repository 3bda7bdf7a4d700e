/**
 * Turns the rows [rowStart, rowEnd) of `scores` (row-major, `classes` per row, row `rowStart` at
 * index 0) into weighted residuals w * (softmax - onehot) in place, adds their column sums to
 * `interceptGradient[0..classes)` at `interceptOffset`, and returns the weighted cross-entropy sum.
 *
 * Gradient workers run this function from its source text: it must stay self-contained (no
 * imports, no closures, no nested functions).
 */
export function softmaxResiduals(
  scores: Float64Array,
  labels: Int32Array,
  sampleWeights: Float64Array,
  classes: number,
  rowStart: number,
  rowEnd: number,
  interceptGradient: Float64Array,
  interceptOffset: number,
): number {
  let loss = 0;
  for (let row = rowStart; row < rowEnd; row++) {
    const base = (row - rowStart) * classes;
    let max = scores[base] as number;
    for (let k = 1; k < classes; k++)
      if ((scores[base + k] as number) > max) max = scores[base + k] as number;
    const label = labels[row] as number;
    const weight = sampleWeights[row] as number;
    const labelMargin = (scores[base + label] as number) - max;
    let sum = 0;
    for (let k = 0; k < classes; k++) {
      const exp = Math.exp((scores[base + k] as number) - max);
      scores[base + k] = exp;
      sum += exp;
    }
    loss += weight * (Math.log(sum) - labelMargin);
    const scale = weight / sum;
    for (let k = 0; k < classes; k++) scores[base + k] = (scores[base + k] as number) * scale;
    scores[base + label] = (scores[base + label] as number) - weight;
    for (let k = 0; k < classes; k++) {
      interceptGradient[interceptOffset + k] =
        (interceptGradient[interceptOffset + k] as number) + (scores[base + k] as number);
    }
  }
  return loss;
}
