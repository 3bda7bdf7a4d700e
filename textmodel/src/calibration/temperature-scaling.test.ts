import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../sampling/random.js';
import { calibrateHeldOut } from './calibrate-held-out.js';
import { applyTemperature, fitTemperature } from './temperature-scaling.js';

function softmax(logits: number[]): number[] {
  const largest = Math.max(...logits);
  const exps = logits.map((logit) => Math.exp(logit - largest));
  const sum = exps.reduce((total, value) => total + value, 0);
  return exps.map((value) => value / sum);
}

/**
 * Rows whose true classes are drawn from softmax(z / trueTemperature) while the "model" reports
 * softmax(z): a model over-confident by exactly trueTemperature.
 */
function overconfidentRows(rows: number, classCount: number, trueTemperature: number, seed: number) {
  const random = new SeededRandom(seed);
  const probabilities = new Float64Array(rows * classCount);
  const labels: number[] = [];
  for (let row = 0; row < rows; row++) {
    const logits = Array.from({ length: classCount }, () => 3 * random.normal());
    probabilities.set(softmax(logits), row * classCount);
    const truth = softmax(logits.map((logit) => logit / trueTemperature));
    let draw = random.next();
    let label = classCount - 1;
    for (let column = 0; column < classCount; column++) {
      draw -= truth[column] as number;
      if (draw < 0) {
        label = column;
        break;
      }
    }
    labels.push(label);
  }
  return { probabilities, labels };
}

describe('temperature scaling', () => {
  it('finds the temperature the rows were drawn with, and lowers the log loss', () => {
    const { probabilities, labels } = overconfidentRows(20_000, 5, 2.5, 7);
    const fit = fitTemperature(probabilities, 5, labels);
    expect(fit.temperature).toBeGreaterThan(2.3);
    expect(fit.temperature).toBeLessThan(2.7);
    expect(fit.logLossAfter).toBeLessThan(fit.logLossBefore);
  });

  it('sharpens an under-confident model (temperature below 1)', () => {
    const { probabilities, labels } = overconfidentRows(20_000, 4, 0.5, 11);
    expect(fitTemperature(probabilities, 4, labels).temperature).toBeCloseTo(0.5, 1);
  });

  it('keeps each row a distribution with the same order; temperature 1 changes no bit', () => {
    const probabilities = Float64Array.from([0.7, 0.2, 0.1, 0, 0.5, 0.5]);
    const calibrated = applyTemperature(probabilities, 3, 2);
    expect(calibrated[0]).toBeGreaterThan(calibrated[1] as number);
    expect(calibrated[1]).toBeGreaterThan(calibrated[2] as number);
    expect(calibrated[0]).toBeLessThan(0.7);
    expect((calibrated[0] as number) + (calibrated[1] as number) + (calibrated[2] as number)).toBeCloseTo(
      1,
      12,
    );
    // sqrt(0.7) / (sqrt(0.7) + sqrt(0.2) + sqrt(0.1))
    expect(calibrated[0]).toBeCloseTo(
      Math.sqrt(0.7) / (Math.sqrt(0.7) + Math.sqrt(0.2) + Math.sqrt(0.1)),
      12,
    );
    // A probability that underflowed to 0 stays (nearly) 0 and the row stays finite.
    expect(calibrated[3]).toBeLessThan(1e-100);
    expect(calibrated[4]).toBeCloseTo(0.5, 12);
    expect(Array.from(applyTemperature(probabilities, 3, 1))).toEqual(Array.from(probabilities));
  });

  it('refuses no rows and mismatched shapes', () => {
    expect(() => fitTemperature(new Float64Array(0), 3, [])).toThrow(/at least one labelled row/);
    expect(() => fitTemperature(new Float64Array(5), 3, [0, 1])).toThrow(
      /5 probabilities for 2 rows of 3 classes/,
    );
  });
});

describe('held-out calibration', () => {
  it('fits on the held-out rows and lowers the cross-fitted calibration error', () => {
    const { probabilities, labels } = overconfidentRows(6_000, 5, 2, 3);
    const classes = [10, 20, 30, 40, 50];
    const result = calibrateHeldOut(
      probabilities,
      classes,
      labels.map((column) => classes[column] as number),
    );
    expect(result.calibration.method).toBe('temperature');
    expect(result.calibration.temperature).toBeGreaterThan(1.7);
    expect(result.rows).toBe(6_000);
    expect(result.eceBefore).toBeGreaterThan(0.08);
    expect(result.eceAfter).toBeLessThan(0.03);
    expect(result.logLossAfter).toBeLessThan(result.logLossBefore);
  });

  it('counts a row of a class the model never learned as a miss, and leaves it out of the fit', () => {
    const probabilities = Float64Array.from([0.9, 0.1, 0.2, 0.8, 0.6, 0.4]);
    const result = calibrateHeldOut(probabilities, [1, 2], [1, 2, 99]);
    expect(result.rows).toBe(2);
    expect(Number.isFinite(result.calibration.temperature)).toBe(true);
  });
});
