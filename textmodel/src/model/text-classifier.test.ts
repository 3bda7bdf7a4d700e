import { generateSyntheticCatalog } from '@prodclass/catalog/synthetic/generator';
import { describe, expect, it } from 'vitest';
import { defaultTfidfSettings } from '../features/tfidf-vectorizer.js';
import { defaultTextSettings } from '../text/product-text.js';
import { defaultLogisticRegressionSettings } from './logistic-regression.js';
import { TextClassifier } from './text-classifier.js';

const catalog = [...generateSyntheticCatalog({ rows: 1_500, seed: 5 })];
const lengths = [10, 100, 255, 256, 257, 365, 1_000, 4_000, 20_000];

/** A listing of about `length` characters made of catalog words, so that most tokens are known. */
function listingOfLength(length: number, offset: number): { designation: string; description: string } {
  const words: string[] = [];
  let characters = 0;
  for (let index = offset; characters < length; index++) {
    const product = catalog[index % catalog.length];
    for (const word of `${product?.designation} ${product?.description ?? ''}`.split(/\s+/)) {
      if (characters >= length) break;
      words.push(word);
      characters += word.length + 1;
    }
  }
  const text = words.join(' ').slice(0, length);
  return { designation: text.slice(0, 40), description: text.slice(40) };
}

describe('TextClassifier', async () => {
  const { classifier: fitted } = await TextClassifier.fit(catalog, {
    text: defaultTextSettings,
    tfidf: defaultTfidfSettings,
    logisticRegression: { ...defaultLogisticRegressionSettings, maxIter: 30 },
    seed: 1,
  });
  const classes = fitted.classes.length;

  // Evaluation (batch transform) and serving (predictTopK) once disagreed on texts longer than any
  // the vectorizer had scanned before: the batch row was built from a stale, smaller id array.
  it('gives batch evaluation the probabilities /predict gives, for texts of growing length', () => {
    const classifier = TextClassifier.fromState(fitted.state);
    const listings = lengths.map((length, index) => listingOfLength(length, 7 * index));
    for (const [index, listing] of listings.entries()) {
      const batch = classifier.predictProba([listing]);
      const [served] = classifier.predictTopK([listing], classes);
      for (const { classCode, probability } of served ?? []) {
        const column = classifier.classes.indexOf(classCode);
        expect(batch[column], `length ${lengths[index]}`).toBeCloseTo(probability, 12);
      }
    }
  });

  it('gives the same batch rows whether the longest text comes first or last', () => {
    const listings = lengths.map((length, index) => listingOfLength(length, 11 * index));
    const growing = TextClassifier.fromState(fitted.state).transform(listings);
    const warmed = TextClassifier.fromState(fitted.state);
    warmed.transform([listingOfLength(30_000, 0)]);
    for (const [row, listing] of listings.entries()) {
      const single = warmed.transform([listing]);
      const from = growing.indptr[row] as number;
      const to = growing.indptr[row + 1] as number;
      expect([...growing.indices.subarray(from, to)], `length ${lengths[row]}`).toEqual([...single.indices]);
      expect([...growing.values.subarray(from, to)]).toEqual([...single.values]);
    }
  });
});
