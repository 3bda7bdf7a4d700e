import { createHash } from 'node:crypto';
import type { LogisticRegressionState } from '../model/logistic-regression.js';

/**
 * sha256 (hex) of the classes, coefficients and intercepts as little-endian float64: equal for two
 * fits exactly when they learned the same model, whatever the bundle's other contents (dates…).
 */
export function weightsChecksum(state: LogisticRegressionState): string {
  const hash = createHash('sha256');
  hash.update(Buffer.from(Float64Array.from(state.classes).buffer));
  hash.update(Buffer.from(state.coef.buffer, state.coef.byteOffset, state.coef.byteLength));
  hash.update(Buffer.from(state.intercept.buffer, state.intercept.byteOffset, state.intercept.byteLength));
  return hash.digest('hex');
}
