/**
 * The weighted cross-entropy of rows [rowStart, rowEnd) from what the softmax kernel stored per
 * row (indexed from rowStart): Σ w * (ln Σexp - (score of the label - max)).
 *
 * Gradient workers run this function from its source text: it must stay self-contained (no
 * imports, no closures, no nested functions).
 */
export function weightedCrossEntropy(
  sums: Float64Array,
  margins: Float64Array,
  sampleWeights: Float64Array,
  rowStart: number,
  rowEnd: number,
): number {
  let loss = 0;
  for (let row = rowStart; row < rowEnd; row++) {
    loss +=
      (sampleWeights[row] as number) *
      (Math.log(sums[row - rowStart] as number) - (margins[row - rowStart] as number));
  }
  return loss;
}
