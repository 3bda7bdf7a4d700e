import type { CsrMatrix } from '../features/sparse-matrix.js';

/**
 * A diagonal scaling for L-BFGS on the multinomial objective (1/S) Σ w_i CE_i + λ/2 ||W||²:
 * 1 / sqrt(h) for each coefficient, where h is the Hessian's diagonal at uniform class
 * probabilities, (1/S) Σ_i w_i x_ij² (K-1)/K² + λ (no λ for intercepts).
 *
 * TF-IDF columns differ in scale by orders of magnitude, which is what makes plain L-BFGS slow.
 * The square root only partly undoes that; on the catalog it took fewer iterations than the full
 * inverse (37 against 53, 67 without scaling). The minimum and the stopping rule do not change.
 */
export function multinomialPreconditioner(
  matrix: CsrMatrix,
  sampleWeights: Float64Array,
  classes: number,
  l2Strength: number,
): Float64Array {
  const squaredColumnNorms = new Float64Array(matrix.columns);
  let weightSum = 0;
  for (let row = 0; row < matrix.rows; row++) {
    const weight = sampleWeights[row] as number;
    weightSum += weight;
    for (let entry = matrix.indptr[row] as number; entry < (matrix.indptr[row + 1] as number); entry++) {
      const column = matrix.indices[entry] as number;
      squaredColumnNorms[column] =
        (squaredColumnNorms[column] as number) + weight * (matrix.values[entry] as number) ** 2;
    }
  }
  const uniformVariance = (classes - 1) / (classes * classes);
  const scaling = new Float64Array((matrix.columns + 1) * classes);
  for (let column = 0; column < matrix.columns; column++) {
    const curvature = ((squaredColumnNorms[column] as number) / weightSum) * uniformVariance + l2Strength;
    scaling.fill(1 / Math.sqrt(curvature), column * classes, (column + 1) * classes);
  }
  scaling.fill(1 / Math.sqrt(uniformVariance), matrix.columns * classes);
  return scaling;
}
