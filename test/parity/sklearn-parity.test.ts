import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { CsrMatrix } from '@prodclass/textmodel/features/sparse-matrix';
import { TfidfVectorizer } from '@prodclass/textmodel/features/tfidf-vectorizer';
import { LogisticRegression } from '@prodclass/textmodel/model/logistic-regression';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repository = resolve(import.meta.dirname, '../..');
const python = join(repository, '.local/venv/bin/python');

interface SparseJson {
  indptr: number[];
  indices: number[];
  values: number[];
}

interface Fixture {
  sklearn_version: string;
  train_texts: string[];
  train_labels: number[];
  test_texts: string[];
  tfidf_cases: Array<{
    name: string;
    settings: {
      analyzer?: 'word' | 'char_wb';
      ngram_range: [number, number];
      min_df: number;
      max_df: number;
      max_features?: number;
      sublinear_tf?: boolean;
      smooth_idf?: boolean;
    };
    vocabulary: string[];
    idf: number[];
    test_matrix: SparseJson;
  }>;
  models: Array<{
    settings: { C: number; class_weight: 'balanced' | null; tol: number };
    classes: number[];
    iterations: number;
    test_probabilities: number[][];
  }>;
}

let fixture: Fixture;
let fixtureDir: string;

beforeAll(() => {
  if (!existsSync(python)) {
    throw new Error(
      `scikit-learn parity needs the stack's Python at ${python}; create it with: npm run stack -- up`,
    );
  }
  fixtureDir = mkdtempSync(join(tmpdir(), 'prodclass-parity-'));
  execFileSync(python, [join(import.meta.dirname, 'make_fixtures.py'), fixtureDir], { stdio: 'pipe' });
  fixture = JSON.parse(readFileSync(join(fixtureDir, 'parity.json'), 'utf8')) as Fixture;
}, 120_000);

afterAll(() => {
  if (fixtureDir) rmSync(fixtureDir, { recursive: true, force: true });
});

function vectorizerFor(caseIndex: number): TfidfVectorizer {
  const { settings } = fixture.tfidf_cases[caseIndex] as Fixture['tfidf_cases'][number];
  return new TfidfVectorizer({
    analyzer: settings.analyzer ?? 'word',
    ngramRange: settings.ngram_range,
    maxFeatures: settings.max_features ?? null,
    minDf: settings.min_df,
    maxDf: settings.max_df,
    sublinearTf: settings.sublinear_tf ?? false,
    smoothIdf: settings.smooth_idf ?? true,
  });
}

function maxAbsDifference(ours: CsrMatrix, theirs: SparseJson): number {
  expect(Array.from(ours.indptr)).toEqual(theirs.indptr);
  let worst = 0;
  for (let row = 0; row + 1 < theirs.indptr.length; row++) {
    const start = theirs.indptr[row] as number;
    const end = theirs.indptr[row + 1] as number;
    const expected = new Map<number, number>();
    for (let entry = start; entry < end; entry++)
      expected.set(theirs.indices[entry] as number, theirs.values[entry] as number);
    for (let entry = start; entry < end; entry++) {
      const column = ours.indices[entry] as number;
      expect(expected.has(column), `row ${row} column ${column}`).toBe(true);
      worst = Math.max(worst, Math.abs((ours.values[entry] as number) - (expected.get(column) as number)));
    }
  }
  return worst;
}

describe('TF-IDF matches scikit-learn TfidfVectorizer', () => {
  for (const caseIndex of [0, 1, 2]) {
    it(`case ${caseIndex}: same vocabulary, idf and test matrix`, () => {
      const expected = fixture.tfidf_cases[caseIndex] as Fixture['tfidf_cases'][number];
      const vectorizer = vectorizerFor(caseIndex).fit(fixture.train_texts);
      const { vocabulary, idf } = vectorizer.fitted;
      expect(vocabulary, expected.name).toEqual(expected.vocabulary);
      const idfError = Math.max(
        ...expected.idf.map((value, index) => Math.abs(value - (idf[index] as number))),
      );
      expect(idfError).toBeLessThan(1e-12);
      const longTexts = fixture.test_texts.filter((text) => text.length > 256).length;
      expect(longTexts, 'test texts longer than the scan buffer starts').toBeGreaterThanOrEqual(10);
      const valueError = maxAbsDifference(vectorizer.transform(fixture.test_texts), expected.test_matrix);
      console.info(
        `parity ${expected.name}: ${vocabulary.length} terms, max |idf diff| ${idfError.toExponential(2)}, max |tf-idf diff| ${valueError.toExponential(2)}`,
      );
      expect(valueError).toBeLessThan(1e-6);
    });
  }
});

type ModelCase = Fixture['models'][number];

async function ourProbabilities(
  expected: ModelCase,
): Promise<{ probabilities: Float64Array; iterations: number }> {
  const vectorizer = vectorizerFor(0);
  const train = vectorizer.fitTransform(fixture.train_texts);
  const model = new LogisticRegression({
    C: expected.settings.C,
    classWeight: expected.settings.class_weight ?? 'none',
    tol: expected.settings.tol,
    maxIter: 5000,
  });
  const report = await model.fit(train, fixture.train_labels);
  expect(report.converged).toBe(true);
  expect(model.fitted.classes).toEqual(expected.classes);
  return {
    probabilities: model.predictProba(vectorizer.transform(fixture.test_texts)),
    iterations: report.iterations,
  };
}

function maxProbabilityDifference(rows: number[][], probabilities: ArrayLike<number>): number {
  let worst = 0;
  rows.forEach((row, index) => {
    row.forEach((probability, k) => {
      worst = Math.max(worst, Math.abs(probability - (probabilities[index * row.length + k] as number)));
    });
  });
  return worst;
}

describe('LogisticRegression matches scikit-learn multinomial lbfgs', () => {
  // Both solvers run to a tight tolerance, so both sit at the optimum of the same objective.
  for (const modelIndex of [0, 1]) {
    it(`model ${modelIndex}: class probabilities within 1e-3 at the optimum`, async () => {
      const expected = fixture.models[modelIndex] as ModelCase;
      const { probabilities, iterations } = await ourProbabilities(expected);
      const worst = maxProbabilityDifference(expected.test_probabilities, probabilities);
      console.info(
        `parity model ${modelIndex} (C=${expected.settings.C}, ${expected.settings.class_weight ?? 'unweighted'}, tol=${expected.settings.tol}): ` +
          `max |p - p_sklearn| = ${worst.toExponential(2)}; iterations ours ${iterations}, scikit-learn ${expected.iterations}`,
      );
      expect(worst).toBeLessThan(1e-3);
    });
  }

  // At the default tol=1e-4 each solver stops where the largest gradient component drops below
  // 1e-4, which on this small fixture is still about 1e-3 from the optimum in probability, and not
  // at the same place (ours is preconditioned and takes another path). So at the default tolerance
  // the test bounds the distance to the optimum, of the same size as scikit-learn's own.
  it('model 2: at the default tolerance, about as close to the optimum as scikit-learn', async () => {
    const loose = fixture.models[2] as ModelCase;
    const optimum = fixture.models[0] as ModelCase;
    expect(loose.settings.C).toBe(optimum.settings.C);
    const { probabilities, iterations } = await ourProbabilities(loose);
    const ours = maxProbabilityDifference(optimum.test_probabilities, probabilities);
    const theirs = maxProbabilityDifference(optimum.test_probabilities, loose.test_probabilities.flat());
    console.info(
      `parity model 2 (tol=1e-4): distance to the optimum ours ${ours.toExponential(2)} (${iterations} iterations), ` +
        `scikit-learn ${theirs.toExponential(2)} (${loose.iterations} iterations)`,
    );
    expect(theirs).toBeGreaterThan(5e-4);
    expect(ours).toBeLessThan(2e-3);
  });
});
