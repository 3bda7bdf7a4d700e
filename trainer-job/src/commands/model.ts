import { createInterface } from 'node:readline';
import {
  classByCode,
  classificationMetrics,
  classificationReport,
  defaultLogisticRegressionSettings,
  defaultTextSettings,
  defaultTfidfSettings,
  type ProductText,
  readModelBundle,
  readProductsCsv,
  TextClassifier,
  weightsChecksum,
  writeModelBundle,
} from '@prodclass/core';
import { type Command, InvalidArgumentError, Option } from 'commander';

function integerAtLeast(minimum: number) {
  return (value: string): number => {
    const number = Number(value);
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(number) || number < minimum) {
      throw new InvalidArgumentError(`must be an integer >= ${minimum}`);
    }
    return number;
  };
}

function positiveNumber(value: string): number {
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number) || number <= 0)
    throw new InvalidArgumentError('must be a positive number');
  return number;
}

function shareAtMostOne(value: string): number {
  const number = positiveNumber(value);
  if (number > 1) throw new InvalidArgumentError('must be in (0, 1]');
  return number;
}

const writeJson = (value: unknown) => process.stdout.write(`${JSON.stringify(value)}\n`);

interface FitFlags {
  data: string;
  out: string;
  maxFeatures: number;
  ngramMax: number;
  analyzer: 'word' | 'char_wb';
  minDf: number;
  maxDf: number;
  sublinearTf: boolean;
  designationRepeats: number;
  C: number;
  maxIter: number;
  tol: number;
  classWeight: 'balanced' | 'none';
  seed: number;
}

async function fit(flags: FitFlags): Promise<void> {
  const products = await readProductsCsv(flags.data, true);
  process.stderr.write(`read ${products.length} products from ${flags.data}\n`);
  const { classifier, report } = await TextClassifier.fit(
    products,
    {
      text: { ...defaultTextSettings, designationRepeats: flags.designationRepeats },
      tfidf: {
        ...defaultTfidfSettings,
        analyzer: flags.analyzer,
        ngramRange: [flags.analyzer === 'word' ? 1 : 2, flags.ngramMax],
        maxFeatures: flags.maxFeatures,
        minDf: flags.minDf,
        maxDf: flags.maxDf,
        sublinearTf: flags.sublinearTf,
      },
      logisticRegression: {
        ...defaultLogisticRegressionSettings,
        C: flags.C,
        maxIter: flags.maxIter,
        tol: flags.tol,
        classWeight: flags.classWeight,
      },
      seed: flags.seed,
    },
    {
      onIteration: ({ iteration, loss, gradientMaxAbs }) =>
        process.stderr.write(
          `iteration ${iteration} loss ${loss.toFixed(6)} max|gradient| ${gradientMaxAbs.toExponential(2)}\n`,
        ),
    },
  );
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

async function evaluate(flags: { model: string; data: string; json: boolean }): Promise<void> {
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

async function predict(flags: { model: string; topK: number }): Promise<void> {
  const { classifier } = await readModelBundle(flags.model);
  let lineNumber = 0;
  for await (const line of createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY })) {
    lineNumber++;
    if (line.trim() === '') continue;
    const product = parseProductLine(line, lineNumber);
    const top = (classifier.predictTopK([product], flags.topK)[0] ?? []).map(
      ({ classCode, probability }) => ({
        prdtypecode: classCode,
        category: classByCode(classCode)?.name ?? null,
        probability,
      }),
    );
    const best = top[0];
    if (!best) continue;
    writeJson({
      prdtypecode: best.prdtypecode,
      category: best.category,
      confidence: best.probability,
      top_k: top,
    });
  }
}

export function registerModelCommands(program: Command): void {
  const model = program
    .command('model')
    .description('fit, evaluate and apply the text model (TF-IDF + logistic regression)');

  model
    .command('fit')
    .description(
      'fit the text model on a labelled CSV (productid,designation,description,prdtypecode) and write a model bundle',
    )
    .requiredOption('--data <csv>', 'labelled training products')
    .requiredOption('--out <bundle>', 'where to write the model bundle')
    .option('--max-features <n>', 'keep the n most frequent terms', integerAtLeast(1), 5000)
    .option('--ngram-max <n>', 'longest n-gram', integerAtLeast(1), 2)
    .addOption(
      new Option('--analyzer <kind>', 'word n-grams, or character n-grams inside words')
        .choices(['word', 'char_wb'])
        .default('word'),
    )
    .option('--min-df <n>', 'drop terms in fewer documents', integerAtLeast(1), 2)
    .option('--max-df <share>', 'drop terms in a larger share of documents', shareAtMostOne, 0.95)
    .option('--sublinear-tf', 'use 1 + ln(tf) instead of raw term counts', false)
    .option(
      '--designation-repeats <n>',
      'repeat the designation n times to weight title words',
      integerAtLeast(1),
      1,
    )
    .option('--C <c>', 'inverse L2 regularisation strength', positiveNumber, 1)
    .option('--max-iter <n>', 'L-BFGS iteration limit', integerAtLeast(1), 1000)
    .option('--tol <tol>', 'stop when every gradient component is at most this', positiveNumber, 1e-4)
    .addOption(
      new Option('--class-weight <kind>', 'weight classes by inverse frequency')
        .choices(['balanced', 'none'])
        .default('none'),
    )
    .option('--seed <n>', 'recorded with the model for reproduction', integerAtLeast(0), 42)
    .action((flags: FitFlags) => fit(flags));

  model
    .command('eval')
    .description('score a model bundle on a labelled CSV')
    .requiredOption('--model <bundle>', 'model bundle')
    .requiredOption('--data <csv>', 'labelled products')
    .option('--json', 'print the metrics as JSON instead of a text report', false)
    .action((flags: { model: string; data: string; json: boolean }) => evaluate(flags));

  model
    .command('predict')
    .description('classify JSON lines {designation, description?} from stdin; one JSON line out per product')
    .requiredOption('--model <bundle>', 'model bundle')
    .option('--top-k <k>', 'how many classes to list per product', integerAtLeast(1), 5)
    .action((flags: { model: string; topK: number }) => predict(flags));
}
