import { createInterface } from 'node:readline';
import { readProductsCsv } from '@prodclass/catalog/products-csv';
import type { HyperparameterOptions } from '@prodclass/registry/contract/train-command';
import { weightsChecksum } from '@prodclass/textmodel/bundle/weights-checksum';
import { classByCode } from '@prodclass/textmodel/classes';
import {
  classificationMetrics,
  classificationReport,
} from '@prodclass/textmodel/metrics/classification-metrics';
import { explanationRecord } from '@prodclass/textmodel/model/explanation-record';
import { TextClassifier } from '@prodclass/textmodel/model/text-classifier';
import type { ProductText } from '@prodclass/textmodel/text/product-text';
import { classifierSettings } from '../classifier-settings.js';
import { readModelBundle, writeModelBundle } from '../model-bundle-file.js';
import { writeJson } from '../options.js';

export interface FitFlags extends HyperparameterOptions {
  data: string;
  out: string;
}

export async function fit(flags: FitFlags): Promise<void> {
  const products = await readProductsCsv(flags.data, true);
  process.stderr.write(`read ${products.length} products from ${flags.data}\n`);
  const { classifier, report } = await TextClassifier.fit(products, classifierSettings(flags), {
    onIteration: ({ iteration, loss, gradientMaxAbs }) =>
      process.stderr.write(
        `iteration ${iteration} loss ${loss.toFixed(6)} max|gradient| ${gradientMaxAbs.toExponential(2)}\n`,
      ),
  });
  if (!report.converged) {
    process.stderr.write(
      `warning: stopped before convergence (${report.stopReason}); consider a larger --max-iter\n`,
    );
  }
  await writeModelBundle(flags.out, classifier, {
    rows: report.rows,
    iterations: report.iterations,
    converged: report.converged,
    loss: report.loss,
    source: flags.data,
  });
  writeJson({
    out: flags.out,
    rows: report.rows,
    classes: classifier.classes.length,
    features: report.features,
    iterations: report.iterations,
    converged: report.converged,
    loss: report.loss,
    weights_checksum: weightsChecksum(classifier.state.logisticRegression),
    seconds: report.seconds,
  });
}

export async function evaluate(flags: { model: string; data: string; json: boolean }): Promise<void> {
  const { classifier } = await readModelBundle(flags.model);
  const products = await readProductsCsv(flags.data, true);
  const metrics = classificationMetrics(
    products.map((product) => product.prdtypecode),
    classifier.predict(products),
  );
  if (flags.json) writeJson(metrics);
  else process.stdout.write(classificationReport(metrics, (code) => classByCode(code)?.name));
}

/** Checks one JSON line of `model predict` input: `{designation, description?}`. */
function parseProductLine(line: string, lineNumber: number): ProductText {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new Error(`stdin line ${lineNumber}: not valid JSON`);
  }
  const record = value as { designation?: unknown; description?: unknown };
  if (
    typeof value !== 'object' ||
    value === null ||
    typeof record.designation !== 'string' ||
    record.designation.trim() === ''
  ) {
    throw new Error(`stdin line ${lineNumber}: expected an object with a non-empty string "designation"`);
  }
  if (
    record.description !== undefined &&
    record.description !== null &&
    typeof record.description !== 'string'
  ) {
    throw new Error(`stdin line ${lineNumber}: "description" must be a string or null`);
  }
  return {
    designation: record.designation,
    description: (record.description as string | null | undefined) ?? null,
  };
}

export async function predict(flags: { model: string; topK: number; explain: number }): Promise<void> {
  const { classifier } = await readModelBundle(flags.model);
  let lineNumber = 0;
  for await (const line of createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY })) {
    lineNumber++;
    if (line.trim() === '') continue;
    const product = parseProductLine(line, lineNumber);
    const explained =
      flags.explain > 0 ? classifier.explainTopK([product], flags.topK, flags.explain)[0] : undefined;
    const ranked = explained ? explained.ranked : classifier.predictTopK([product], flags.topK)[0];
    const top = (ranked ?? []).map(({ classCode, probability }) => ({
      prdtypecode: classCode,
      category: classByCode(classCode)?.name ?? null,
      probability,
    }));
    const best = top[0];
    if (!best) continue;
    writeJson({
      prdtypecode: best.prdtypecode,
      category: best.category,
      confidence: best.probability,
      top_k: top,
      ...(explained ? { explanation: explained.explanations.map(explanationRecord) } : {}),
    });
  }
}
