/**
 * What calibration adds to `prodclass train` (docs/training.md): on a synthetic catalog the size
 * of the real one (84,916 products, split 80/20 by position), one fit of the default model, then
 * 5 runs of what training does after it to calibrate: the held-out probabilities (one
 * predictProba) and calibrateHeldOut (the temperature fit, the cross-fitted fits and both ECEs).
 * Prints JSON: the fit's seconds and each run's, with their medians.
 * Usage: npm run build && npx tsx bench/model/calibration-bench.ts
 */
import { generateSyntheticCatalog } from '@prodclass/catalog/synthetic/generator';
import { calibrateHeldOut } from '@prodclass/textmodel/calibration/calibrate-held-out';
import { defaultTfidfSettings } from '@prodclass/textmodel/features/tfidf-vectorizer';
import { defaultLogisticRegressionSettings } from '@prodclass/textmodel/model/logistic-regression';
import { TextClassifier } from '@prodclass/textmodel/model/text-classifier';
import { defaultTextSettings } from '@prodclass/textmodel/text/product-text';

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

const catalog = [...generateSyntheticCatalog({ rows: 84_916, seed: 42 })];
const cut = Math.round(catalog.length * 0.8);
const [train, heldOut] = [catalog.slice(0, cut), catalog.slice(cut)];
const labels = heldOut.map((product) => product.prdtypecode);

const fitStarted = performance.now();
const { classifier, report } = await TextClassifier.fit(train, {
  text: defaultTextSettings,
  tfidf: defaultTfidfSettings,
  logisticRegression: defaultLogisticRegressionSettings,
  seed: 42,
});
const fitSeconds = (performance.now() - fitStarted) / 1000;

const runs: { probabilities: number; calibrate: number }[] = [];
let result: ReturnType<typeof calibrateHeldOut> | undefined;
for (let run = 0; run < 5; run++) {
  const started = performance.now();
  const probabilities = classifier.predictProba(heldOut);
  const predicted = performance.now();
  result = calibrateHeldOut(probabilities, classifier.classes, labels);
  runs.push({
    probabilities: (predicted - started) / 1000,
    calibrate: (performance.now() - predicted) / 1000,
  });
}
const totals = runs.map((run) => run.probabilities + run.calibrate);
process.stdout.write(
  `${JSON.stringify(
    {
      rows: { train: train.length, held_out: heldOut.length },
      fit_seconds: fitSeconds,
      iterations: report.iterations,
      runs,
      median_probabilities_seconds: median(runs.map((run) => run.probabilities)),
      median_calibrate_seconds: median(runs.map((run) => run.calibrate)),
      median_total_seconds: median(totals),
      share_of_fit: median(totals) / fitSeconds,
      calibration: result,
    },
    null,
    2,
  )}\n`,
);
