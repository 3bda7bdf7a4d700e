/**
 * Computes, for the rows [rowStart, rowEnd), the weighted multinomial cross-entropy sum and writes
 * its gradient with respect to the coefficients into `gradient` (overwritten). Coefficients are
 * feature-major, `coef[feature * classes + class]`, with the intercepts as one extra feature (index
 * `features`) whose value is 1 in every row.
 */
export type MultinomialLossKernel = (
  indptr: Int32Array,
  indices: Int32Array,
  values: Float64Array,
  labels: Int32Array,
  sampleWeights: Float64Array,
  coef: Float64Array,
  features: number,
  rowStart: number,
  rowEnd: number,
  gradient: Float64Array,
) => number;

/**
 * The source of a kernel specialised to a number of classes. This is the inner loop of training:
 * with the class loop unrolled into local variables V8 keeps a row's scores out of memory and
 * drops the bounds checks, about four times faster than the generic loop. Gradient workers compile
 * the same source, so every thread runs identical arithmetic.
 */
export function multinomialLossSource(classes: number): string {
  if (!(Number.isInteger(classes) && classes >= 2))
    throw new Error(`classes must be an integer >= 2, got ${classes}`);
  const perClass = (statement: (k: number) => string, separator = '\n      ') =>
    Array.from({ length: classes }, (_, k) => statement(k)).join(separator);
  return `return function multinomialLoss(indptr, indices, values, labels, sampleWeights, coef, features, rowStart, rowEnd, gradient) {
  gradient.fill(0);
  const interceptOffset = features * ${classes};
  let loss = 0;
  for (let row = rowStart; row < rowEnd; row++) {
    ${perClass((k) => `let s${k} = coef[interceptOffset + ${k}];`, '\n    ')}
    const start = indptr[row];
    const end = indptr[row + 1];
    for (let entry = start; entry < end; entry++) {
      const value = values[entry];
      const offset = indices[entry] * ${classes};
      ${perClass((k) => `s${k} += value * coef[offset + ${k}];`)}
    }
    let max = s0;
    ${perClass((k) => (k === 0 ? '' : `if (s${k} > max) max = s${k};`), '\n    ')}
    const label = labels[row];
    const weight = sampleWeights[row];
    let labelScore = 0;
    switch (label) {
      ${perClass((k) => `case ${k}: labelScore = s${k}; break;`)}
    }
    ${perClass((k) => `s${k} = Math.exp(s${k} - max);`, '\n    ')}
    const sum = ${perClass((k) => `s${k}`, ' + ')};
    loss += weight * (Math.log(sum) - (labelScore - max));
    const scale = weight / sum;
    ${perClass((k) => `s${k} *= scale;`, '\n    ')}
    switch (label) {
      ${perClass((k) => `case ${k}: s${k} -= weight; break;`)}
    }
    for (let entry = start; entry < end; entry++) {
      const value = values[entry];
      const offset = indices[entry] * ${classes};
      ${perClass((k) => `gradient[offset + ${k}] += value * s${k};`)}
    }
    ${perClass((k) => `gradient[interceptOffset + ${k}] += s${k};`, '\n    ')}
  }
  return loss;
};`;
}

export function compileMultinomialLoss(source: string): MultinomialLossKernel {
  return new Function(source)() as MultinomialLossKernel;
}
