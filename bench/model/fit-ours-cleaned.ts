/**
 * The like-for-like side of the text-model benchmark: prodclass's TF-IDF and logistic regression
 * fitted on exactly what fit_sklearn.py gets, the texts already cleaned, with no cleaning step.
 * Prints its measurements as JSON. Usage: tsx bench/model/fit-ours-cleaned.ts SPLIT_CLEANED.json
 */
import { readFileSync } from 'node:fs';
import { defaultTfidfSettings, TfidfVectorizer } from '@prodclass/textmodel/features/tfidf-vectorizer';
import { classificationMetrics } from '@prodclass/textmodel/metrics/classification-metrics';
import {
  defaultLogisticRegressionSettings,
  LogisticRegression,
} from '@prodclass/textmodel/model/logistic-regression';

const split = JSON.parse(readFileSync(process.argv[2] as string, 'utf8')) as {
  train_texts: string[];
  train_labels: number[];
  test_texts: string[];
  test_labels: number[];
};

const started = performance.now();
const vectorizer = new TfidfVectorizer(defaultTfidfSettings);
const matrix = vectorizer.fitTransform(split.train_texts);
const vectorized = performance.now();
const model = new LogisticRegression(defaultLogisticRegressionSettings);
const report = await model.fit(matrix, split.train_labels);
const finished = performance.now();

const metrics = classificationMetrics(
  split.test_labels,
  model.predict(vectorizer.transform(split.test_texts)),
);
process.stdout.write(
  `${JSON.stringify({
    fit_seconds: (finished - started) / 1000,
    vectorize_seconds: (vectorized - started) / 1000,
    optimize_seconds: (finished - vectorized) / 1000,
    iterations: report.iterations,
    peak_rss_mb: process.resourceUsage().maxRSS / 1024,
    f1_weighted: metrics.f1_weighted,
    accuracy: metrics.accuracy,
  })}\n`,
);
