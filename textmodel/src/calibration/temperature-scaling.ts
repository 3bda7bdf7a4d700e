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

/** Mean negative log-likelihood of the true classes under softmax(inverse · log p). */
function negativeLogLikelihood(
  logProbabilities: Float64Array,
  classCount: number,
  labelIndices: ArrayLike<number>,
  inverse: number,
): number {
  const rows = labelIndices.length;
  let total = 0;
  for (let row = 0; row < rows; row++) {
    const offset = row * classCount;
    let largest = Number.NEGATIVE_INFINITY;
    for (let index = offset; index < offset + classCount; index++) {
      const scaled = (logProbabilities[index] as number) * inverse;
      if (scaled > largest) largest = scaled;
    }
    let sum = 0;
    for (let index = offset; index < offset + classCount; index++)
      sum += Math.exp((logProbabilities[index] as number) * inverse - largest);
    total +=
      largest +
      Math.log(sum) -
      (logProbabilities[offset + (labelIndices[row] as number)] as number) * inverse;
  }
  return total / rows;
}

export interface TemperatureFit {
  temperature: number;
  /** Mean negative log-likelihood of the true classes before and after (natural log). */
  logLossBefore: number;
  logLossAfter: number;
}

/** The temperatures searched: wide enough for any model worth serving. */
const smallestTemperature = 0.01;
const largestTemperature = 100;
const goldenSectionSteps = 80;

/**
 * The temperature minimising the log loss of the true classes (`labelIndices`: each row's true
 * class as an index into the columns). The log loss is convex in 1/T, so a golden-section search
 * over ln(1/T) finds its minimum; deterministic, no random numbers.
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
  const loss = (logInverse: number) =>
    negativeLogLikelihood(logProbabilities, classCount, labelIndices, Math.exp(logInverse));
  const ratio = (Math.sqrt(5) - 1) / 2;
  let low = -Math.log(largestTemperature);
  let high = -Math.log(smallestTemperature);
  let left = high - ratio * (high - low);
  let right = low + ratio * (high - low);
  let leftLoss = loss(left);
  let rightLoss = loss(right);
  for (let step = 0; step < goldenSectionSteps; step++) {
    if (leftLoss <= rightLoss) {
      high = right;
      right = left;
      rightLoss = leftLoss;
      left = high - ratio * (high - low);
      leftLoss = loss(left);
    } else {
      low = left;
      left = right;
      leftLoss = rightLoss;
      right = low + ratio * (high - low);
      rightLoss = loss(right);
    }
  }
  const temperature = 1 / Math.exp((low + high) / 2);
  return { temperature, logLossBefore: loss(0), logLossAfter: loss(-Math.log(temperature)) };
}
