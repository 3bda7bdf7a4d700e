/**
 * Temperature scaling (Guo et al., 2017): the calibrated probabilities of a row are
 * softmax(log p / T), one temperature T > 0 for every class and row. T > 1 softens an
 * over-confident model, T < 1 sharpens an under-confident one; the order of the classes, and so
 * the predicted class, never changes. T = 1 leaves the probabilities exactly as they are.
 */

/** How a bundle's probabilities are calibrated; a bundle without one serves raw probabilities (temperature 1). */
export interface Calibration {
  method: 'temperature';
  temperature: number;
}

/** log p is floored here so that a probability that underflowed to 0 stays finite under any temperature. */
const logFloor = Math.log(1e-300);

function logOf(probability: number): number {
  return probability > 0 ? Math.max(Math.log(probability), logFloor) : logFloor;
}

/** Calibrates `classCount` probabilities starting at `offset`, in place. */
export function applyTemperatureInPlace(
  probabilities: Float64Array,
  offset: number,
  classCount: number,
  temperature: number,
): void {
  if (temperature === 1) return;
  const inverse = 1 / temperature;
  let largest = Number.NEGATIVE_INFINITY;
  for (let index = offset; index < offset + classCount; index++) {
    const scaled = logOf(probabilities[index] as number) * inverse;
    probabilities[index] = scaled;
    if (scaled > largest) largest = scaled;
  }
  let sum = 0;
  for (let index = offset; index < offset + classCount; index++) {
    const value = Math.exp((probabilities[index] as number) - largest);
    probabilities[index] = value;
    sum += value;
  }
  for (let index = offset; index < offset + classCount; index++)
    probabilities[index] = (probabilities[index] as number) / sum;
}

/** A copy of row-major probabilities (`classCount` per row), calibrated. */
export function applyTemperature(
  probabilities: Float64Array,
  classCount: number,
  temperature: number,
): Float64Array {
  const calibrated = Float64Array.from(probabilities);
  for (let offset = 0; offset < calibrated.length; offset += classCount)
    applyTemperatureInPlace(calibrated, offset, classCount, temperature);
  return calibrated;
}

/** The log loss at 1/T = `inverse`, with its first and second derivatives in `inverse`. */
interface LossAt {
  loss: number;
  slope: number;
  curvature: number;
}

/**
 * Mean negative log-likelihood of the true classes under softmax(inverse · log p), with its
 * derivatives: with s the calibrated row, d/dβ = E_s[log p] − log p_true and d²/dβ² = Var_s[log p].
 */
function lossAt(
  logProbabilities: Float64Array,
  classCount: number,
  labelIndices: ArrayLike<number>,
  inverse: number,
): LossAt {
  const rows = labelIndices.length;
  let loss = 0;
  let slope = 0;
  let curvature = 0;
  for (let row = 0; row < rows; row++) {
    const offset = row * classCount;
    let largest = Number.NEGATIVE_INFINITY;
    for (let index = offset; index < offset + classCount; index++) {
      const scaled = (logProbabilities[index] as number) * inverse;
      if (scaled > largest) largest = scaled;
    }
    let sum = 0;
    let first = 0;
    let second = 0;
    for (let index = offset; index < offset + classCount; index++) {
      const logProbability = logProbabilities[index] as number;
      const weight = Math.exp(logProbability * inverse - largest);
      sum += weight;
      first += weight * logProbability;
      second += weight * logProbability * logProbability;
    }
    const mean = first / sum;
    const trueLog = logProbabilities[offset + (labelIndices[row] as number)] as number;
    loss += largest + Math.log(sum) - trueLog * inverse;
    slope += mean - trueLog;
    curvature += Math.max(0, second / sum - mean * mean);
  }
  return { loss: loss / rows, slope: slope / rows, curvature: curvature / rows };
}

export interface TemperatureFit {
  temperature: number;
  /** Mean negative log-likelihood of the true classes before and after (natural log). */
  logLossBefore: number;
  logLossAfter: number;
}

/** The temperatures searched: wide enough for any model worth serving. */
const smallestInverse = 1 / 100;
const largestInverse = 1 / 0.01;
const newtonSteps = 100;

/**
 * The temperature minimising the log loss of the true classes (`labelIndices`: each row's true
 * class as an index into the columns). The log loss is convex in β = 1/T, so Newton's method from
 * β = 1, halving any step that does not lower the loss, finds its minimum in a few passes over
 * the rows; deterministic, no random numbers.
 */
export function fitTemperature(
  probabilities: Float64Array,
  classCount: number,
  labelIndices: ArrayLike<number>,
): TemperatureFit {
  if (labelIndices.length === 0) throw new Error('temperature scaling needs at least one labelled row');
  if (probabilities.length !== labelIndices.length * classCount)
    throw new Error(
      `temperature scaling got ${probabilities.length} probabilities for ${labelIndices.length} rows of ${classCount} classes`,
    );
  const logProbabilities = probabilities.map(logOf);
  const at = (inverse: number) => lossAt(logProbabilities, classCount, labelIndices, inverse);
  const before = at(1);
  let inverse = 1;
  let current = before;
  for (let step = 0; step < newtonSteps; step++) {
    const move = current.curvature > 0 ? -current.slope / current.curvature : -Math.sign(current.slope);
    let next = Math.min(largestInverse, Math.max(smallestInverse, inverse + move));
    let candidate = at(next);
    while (candidate.loss > current.loss && Math.abs(next - inverse) > 1e-15 * inverse) {
      next = (next + inverse) / 2;
      candidate = at(next);
    }
    const converged = Math.abs(next - inverse) <= 1e-12 * inverse;
    if (candidate.loss <= current.loss) {
      inverse = next;
      current = candidate;
    }
    if (converged) break;
  }
  return { temperature: 1 / inverse, logLossBefore: before.loss, logLossAfter: current.loss };
}
