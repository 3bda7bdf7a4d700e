import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  confidenceOutcomes,
  expectedCalibrationError,
} from '@prodclass/textmodel/calibration/expected-calibration-error';
import { fitTemperature } from '@prodclass/textmodel/calibration/temperature-scaling';
import { SeededRandom } from '@prodclass/textmodel/sampling/random';
import { expect, test } from 'vitest';
import { runPythonCheck } from '../support/python.js';

interface Reference {
  ece: number;
  temperature: number;
  log_loss_before: number;
  log_loss_after: number;
}

/** 3,000 rows of 6 classes: random logits, labels drawn from a softer distribution (an over-confident model). */
function rows(): { probabilities: number[][]; labels: number[] } {
  const random = new SeededRandom(23);
  const probabilities: number[][] = [];
  const labels: number[] = [];
  for (let row = 0; row < 3_000; row++) {
    const logits = Array.from({ length: 6 }, () => 2.5 * random.normal());
    const softmaxOf = (scale: number) => {
      const exps = logits.map((logit) => Math.exp(logit * scale));
      const sum = exps.reduce((total, value) => total + value, 0);
      return exps.map((value) => value / sum);
    };
    probabilities.push(softmaxOf(1));
    const draw = random.next();
    let cumulative = 0;
    const label = softmaxOf(1 / 1.8).findIndex((probability) => {
      cumulative += probability;
      return draw < cumulative;
    });
    labels.push(label < 0 ? 5 : label);
  }
  return { probabilities, labels };
}

test('the ECE matches calibration_curve binning and the temperature matches SciPy minimising scikit-learn log_loss', async () => {
  const data = rows();
  const directory = await fs.mkdtemp(path.join(os.tmpdir(), 'prodclass-calibration-parity-'));
  try {
    const input = path.join(directory, 'rows.json');
    await fs.writeFile(input, JSON.stringify(data));
    const reference = await runPythonCheck<Reference>('parity/sklearn_calibration.py', [input]);
    const flat = Float64Array.from(data.probabilities.flat());
    const { confidences, correct } = confidenceOutcomes(flat, 6, data.labels);
    expect(expectedCalibrationError(confidences, correct)).toBeCloseTo(reference.ece, 12);
    const fit = fitTemperature(flat, 6, data.labels);
    expect(fit.temperature).toBeCloseTo(reference.temperature, 5);
    expect(fit.logLossBefore).toBeCloseTo(reference.log_loss_before, 10);
    expect(fit.logLossAfter).toBeCloseTo(reference.log_loss_after, 10);
  } finally {
    await fs.rm(directory, { recursive: true, force: true });
  }
}, 120_000);
