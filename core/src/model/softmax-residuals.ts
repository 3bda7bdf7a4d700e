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
  // Math.exp is a call out of compiled code for every value and took most of this function's
  // time; exp(x) is computed here as 2^(-n/32) * exp(r), x = -n ln2/32 + r, |r| <= ln2/64 (ln2/32
  // in two parts so that n times the first is exact), exp(r) by its Taylor series to r^6 (error
  // below 1e-17) and 2^(-n/32) from two tables. Arguments are scores minus the row's maximum, so
  // x <= 0; below -708, exp(x) < 1e-307 counts as 0.
  const powersOfHalf = new Float64Array(1023);
  for (let n = 0, power = 1; n < powersOfHalf.length; n++, power /= 2) powersOfHalf[n] = power;
  const fractionalPowers = new Float64Array(32);
  for (let j = 0; j < 32; j++) fractionalPowers[j] = 2 ** (-j / 32);
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
      const x = (scores[base + k] as number) - max;
      let exp = 0;
      if (x > -708) {
        const n = Math.round(x * -46.16624130844683) | 0;
        const r = x + n * 0.02166084938653512 + n * 5.9631716539705866e-12;
        let series = 1.388888888888889e-3;
        series = series * r + 8.333333333333333e-3;
        series = series * r + 4.1666666666666664e-2;
        series = series * r + 1.6666666666666666e-1;
        series = series * r + 0.5;
        series = series * r + 1;
        series = series * r + 1;
        exp = series * (fractionalPowers[n & 31] as number) * (powersOfHalf[n >> 5] as number);
      }
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
