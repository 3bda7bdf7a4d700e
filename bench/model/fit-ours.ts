/**
 * One side of the text-model benchmark: fits prodclass's model on the train rows of a prepared
 * split (raw products: cleaning is part of the fit) and prints its measurements as JSON.
 * Usage: tsx bench/model/fit-ours.ts SPLIT.json
 *
 * It runs the built package (textmodel/dist, as the CLI does), not the TypeScript sources: worker
 * threads that clean text can only load compiled modules. Build first (npm run build).
 */
import { readFileSync } from 'node:fs';
import { defaultTfidfSettings } from '@prodclass/textmodel/features/tfidf-vectorizer';
import { classificationMetrics } from '@prodclass/textmodel/metrics/classification-metrics';
import { defaultLogisticRegressionSettings } from '@prodclass/textmodel/model/logistic-regression';
import { TextClassifier } from '@prodclass/textmodel/model/text-classifier';
import { defaultTextSettings, type LabelledProduct } from '@prodclass/textmodel/text/product-text';

const split = JSON.parse(readFileSync(process.argv[2] as string, 'utf8')) as {
  train: LabelledProduct[];
  test: LabelledProduct[];
};

const started = performance.now();
const { classifier, report } = await TextClassifier.fit(split.train, {
  text: defaultTextSettings,
  tfidf: defaultTfidfSettings,
  logisticRegression: defaultLogisticRegressionSettings,
  seed: 42,
});
const fitSeconds = (performance.now() - started) / 1000;

const metrics = classificationMetrics(
  split.test.map((product) => product.prdtypecode),
  classifier.predict(split.test),
);

// The first 1,000 held-out products, timed one call each (fit_sklearn.py times the same ones).
const sample = split.test.slice(0, 1000);
const latencyStarted = performance.now();
for (const product of sample) classifier.predictTopK([product], 5);
const predictMsPerItem = (performance.now() - latencyStarted) / sample.length;

process.stdout.write(
  `${JSON.stringify({
    fit_seconds: fitSeconds,
    clean_seconds: report.seconds.clean,
    vectorize_seconds: report.seconds.vectorize,
    optimize_seconds: report.seconds.optimize,
    iterations: report.iterations,
    converged: report.converged,
    peak_rss_mb: process.resourceUsage().maxRSS / 1024,
    f1_weighted: metrics.f1_weighted,
    accuracy: metrics.accuracy,
    predict_ms_per_item: predictMsPerItem,
  })}\n`,
);
