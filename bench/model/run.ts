/**
 * Text-model benchmark: prodclass's TypeScript model against scikit-learn, fitted one after the
 * other on the same stratified 80/20 split (seed 42) of the 40% and 100% catalog loads.
 *
 *   npm run build && npx tsx bench/model/run.ts     # synthetic catalog, 84,916 rows, seed 42
 *   npx tsx bench/model/run.ts --data export.csv    # a catalog export (productid,designation,description,prdtypecode)
 *
 * prodclass is fitted twice: from the raw listings (cleaning included, as training runs it) and,
 * like for like with scikit-learn, on the same already-cleaned texts (fit-ours-cleaned.ts).
 * Each fit runs in its own process, so peak memory is that fit's. scikit-learn runs without the
 * OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE overrides this machine may set. The machine is shared and
 * its load swings, so the two fits alternate `repeats` times (--repeats N, default 3) and the
 * table shows each side's median fit (median-run.ts), with the load average just before it; each
 * round's figures go to stderr.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readProductsCsv } from '@prodclass/catalog/products-csv';
import { generateSyntheticCatalog } from '@prodclass/catalog/synthetic/generator';
import { seededPermutation } from '@prodclass/textmodel/sampling/permutation';
import { stratifiedSplit } from '@prodclass/textmodel/sampling/stratified-split';
import {
  defaultTextSettings,
  type LabelledProduct,
  productText,
} from '@prodclass/textmodel/text/product-text';
import { medianRun } from './median-run.js';

const repository = resolve(import.meta.dirname, '../..');
const python = join(repository, '.local/venv/bin/python');
const loads = [0.4, 1.0];
const repeatsFlag = process.argv.indexOf('--repeats');
const repeats = repeatsFlag >= 0 ? Number(process.argv[repeatsFlag + 1]) : 3;
const fullCatalogRows = 84_916;

interface Measurements {
  fit_seconds: number;
  /** Cleaning inside the fit: prodclass cleans raw listings; scikit-learn gets them already cleaned (0). */
  clean_seconds: number;
  vectorize_seconds: number;
  optimize_seconds: number;
  iterations: number;
  converged: boolean;
  peak_rss_mb: number;
  f1_weighted: number;
  accuracy: number;
  predict_ms_per_item: number;
}

async function catalog(): Promise<{ products: LabelledProduct[]; origin: string }> {
  const dataFlag = process.argv.indexOf('--data');
  if (dataFlag >= 0) {
    const path = process.argv[dataFlag + 1] as string;
    return { products: await readProductsCsv(path, true), origin: path };
  }
  const products = [...generateSyntheticCatalog({ rows: fullCatalogRows, seed: 42 })].map(
    ({ designation, description, prdtypecode }) => ({ designation, description, prdtypecode }),
  );
  return { products, origin: `synthetic catalog (${fullCatalogRows} rows, seed 42)` };
}

type Run = Measurements & { load: number };

/** Runs one fit process and adds the 1-minute load average from just before it started. */
function runJson<T = Measurements>(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): T & { load: number } {
  const load = loadavg()[0] as number;
  const output = execFileSync(command, args, { cwd: repository, env, maxBuffer: 1 << 26 }).toString();
  return { ...(JSON.parse(output) as T), load };
}

interface CleanedRun {
  fit_seconds: number;
  vectorize_seconds: number;
  optimize_seconds: number;
  iterations: number;
  peak_rss_mb: number;
  f1_weighted: number;
  accuracy: number;
}

const { products, origin } = await catalog();
// Loads are slices of one seeded shuffle, as the catalog's incremental loads are.
const order = seededPermutation(products.length, 42);
const directory = mkdtempSync(join(tmpdir(), 'prodclass-bench-model-'));
const sklearnEnv = { ...process.env };
delete sklearnEnv.OPENBLAS_CORETYPE;
delete sklearnEnv.OPENBLAS_L2_SIZE;

const rows: string[] = [];
try {
  for (const share of loads) {
    const loaded = Array.from(
      order.subarray(0, Math.floor(products.length * share)),
      (index) => products[index] as LabelledProduct,
    );
    const { train, test } = stratifiedSplit(
      loaded.map((product) => product.prdtypecode),
      0.2,
      42,
    );
    const pick = (positions: number[]) => positions.map((position) => loaded[position] as LabelledProduct);
    const split = { train: pick(train), test: pick(test) };
    const splitPath = join(directory, `split-${share}.json`);
    writeFileSync(splitPath, JSON.stringify(split));
    const cleanedPath = join(directory, `cleaned-${share}.json`);
    const texts = (list: LabelledProduct[]) =>
      list.map((product) => productText(product, defaultTextSettings));
    writeFileSync(
      cleanedPath,
      JSON.stringify({
        train_texts: texts(split.train),
        train_labels: split.train.map((product) => product.prdtypecode),
        test_texts: texts(split.test),
        test_labels: split.test.map((product) => product.prdtypecode),
      }),
    );
    process.stderr.write(
      `${share * 100}%: ${loaded.length} rows, ${split.train.length} train / ${split.test.length} test\n`,
    );
    const oursRuns: Run[] = [];
    const oursCleanedRuns: CleanedRun[] = [];
    const sklearnRuns: Run[] = [];
    for (let repeat = 0; repeat < repeats; repeat++) {
      oursRuns.push(
        runJson(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'fit-ours.ts'), splitPath]),
      );
      process.stderr.write(`  prodclass: ${JSON.stringify(oursRuns.at(-1))}\n`);
      oursCleanedRuns.push(
        runJson<CleanedRun>(process.execPath, [
          '--import',
          'tsx',
          join(import.meta.dirname, 'fit-ours-cleaned.ts'),
          cleanedPath,
        ]),
      );
      process.stderr.write(`  prodclass on cleaned texts: ${JSON.stringify(oursCleanedRuns.at(-1))}\n`);
      sklearnRuns.push(
        runJson(python, [join(import.meta.dirname, 'fit_sklearn.py'), cleanedPath], sklearnEnv),
      );
      process.stderr.write(`  scikit-learn: ${JSON.stringify(sklearnRuns.at(-1))}\n`);
    }
    const ours = medianRun(oursRuns);
    const oursCleaned = medianRun(oursCleanedRuns);
    const sklearn = medianRun(sklearnRuns);
    const ratio = (value: number) => (value / sklearn.fit_seconds).toFixed(2);
    rows.push(
      `| ${share * 100}% (${split.train.length} train) | prodclass (TypeScript) | ${ours.load.toFixed(1)} | ` +
        `${ours.fit_seconds.toFixed(2)} (clean ${ours.clean_seconds.toFixed(2)}, TF-IDF ${ours.vectorize_seconds.toFixed(2)}, optimize ${ours.optimize_seconds.toFixed(2)}) | ` +
        `${oursCleaned.fit_seconds.toFixed(2)} (TF-IDF ${oursCleaned.vectorize_seconds.toFixed(2)}, optimize ${oursCleaned.optimize_seconds.toFixed(2)}, ${oursCleaned.iterations} it.) | ` +
        `${ours.peak_rss_mb.toFixed(0)} | ${ours.f1_weighted.toFixed(4)} | ${ours.accuracy.toFixed(4)} | ${ours.predict_ms_per_item.toFixed(3)} |`,
      `| ${share * 100}% (${split.train.length} train) | scikit-learn 1.9.1 | ${sklearn.load.toFixed(1)} | — | ` +
        `${sklearn.fit_seconds.toFixed(2)} (TF-IDF ${sklearn.vectorize_seconds.toFixed(2)}, optimize ${sklearn.optimize_seconds.toFixed(2)}, ${sklearn.iterations} it.) | ` +
        `${sklearn.peak_rss_mb.toFixed(0)} | ${sklearn.f1_weighted.toFixed(4)} | ${sklearn.accuracy.toFixed(4)} | ${sklearn.predict_ms_per_item.toFixed(3)} |`,
      `| | ours / scikit-learn | | ${ratio(ours.fit_seconds)} | ${ratio(oursCleaned.fit_seconds)} | ` +
        `${(ours.peak_rss_mb / sklearn.peak_rss_mb).toFixed(2)} | ${(ours.f1_weighted - sklearn.f1_weighted).toFixed(4)} (diff) | ` +
        `${(ours.accuracy - sklearn.accuracy).toFixed(4)} (diff) | ${(ours.predict_ms_per_item / sklearn.predict_ms_per_item).toFixed(2)} |`,
    );
  }
} finally {
  rmSync(directory, { recursive: true, force: true });
}

process.stdout.write(
  [
    `Data: ${origin}. Machine: ${availableParallelism()} cores (${cpus()[0]?.model ?? 'unknown CPU'}), Node ${process.version}. ` +
      `Median of ${repeats} alternating fits per side (the lower middle one when even).`,
    '',
    '| catalog load | model | load avg (1 min) | fit s from the raw listings | fit s on the cleaned texts | peak RSS MB | weighted F1 | accuracy | predict ms/item |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n'),
);
