import { generateSyntheticCatalog } from '@prodclass/catalog/synthetic/generator';
import { defaultTfidfSettings } from '@prodclass/textmodel/features/tfidf-vectorizer';
import { defaultLogisticRegressionSettings } from '@prodclass/textmodel/model/logistic-regression';
import { TextClassifier } from '@prodclass/textmodel/model/text-classifier';
import { defaultTextSettings } from '@prodclass/textmodel/text/product-text';
import { expect, test } from 'vitest';
import { termsBehindErrors } from './error-terms.js';

test('each term sums its contributions to the wrong class over the texts; a text predicted otherwise is left out', async () => {
  const { classifier } = await TextClassifier.fit([...generateSyntheticCatalog({ rows: 1_000, seed: 3 })], {
    text: defaultTextSettings,
    tfidf: defaultTfidfSettings,
    logisticRegression: { ...defaultLogisticRegressionSettings, maxIter: 30 },
    seed: 1,
  });
  const unseen = [...generateSyntheticCatalog({ rows: 300, seed: 4 })];
  const predicted = classifier.predictTopK(unseen, 1).map((ranking) => ranking[0]?.classCode);
  const wrongClass = predicted[0] as number;
  const asWrong = unseen.filter((_, index) => predicted[index] === wrongClass).slice(0, 6);
  const other = unseen.find((_, index) => predicted[index] !== wrongClass);
  expect(asWrong.length).toBeGreaterThan(1);
  const texts = [...asWrong, other].map((product) => ({
    predictedCode: wrongClass,
    prdtypecode: 9999,
    designation: product?.designation ?? '',
    description: product?.description ?? null,
  }));

  const [result] = termsBehindErrors(
    classifier,
    [{ predictedCode: wrongClass, prdtypecode: 9999, labels: 7 }],
    texts,
  );
  expect(result?.explained).toBe(asWrong.length);
  // By hand: every text's own explanation of the wrong class, its terms towards it summed.
  const expected = new Map<string, { contribution: number; texts: number }>();
  for (const product of asWrong) {
    const [ranking] = classifier.explainTopK([product], 2, 16);
    for (const term of ranking?.explanations[0]?.up ?? []) {
      const total = expected.get(term.feature) ?? { contribution: 0, texts: 0 };
      expected.set(term.feature, {
        contribution: total.contribution + term.contribution,
        texts: total.texts + 1,
      });
    }
  }
  expect(result?.terms.length).toBe(Math.min(8, expected.size));
  for (const term of result?.terms ?? []) {
    expect(term.contribution).toBeCloseTo(expected.get(term.feature)?.contribution ?? Number.NaN, 12);
    expect(term.texts).toBe(expected.get(term.feature)?.texts);
    expect(term.contribution).toBeGreaterThan(0);
  }
  const largest = Math.max(...[...expected.values()].map((total) => total.contribution));
  expect(result?.terms[0]?.contribution).toBeCloseTo(largest, 12);
}, 60_000);
