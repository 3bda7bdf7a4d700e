import { describe, expect, it } from 'vitest';
import { charWbNgrams, wordNgrams } from './analyzers.js';
import { rowEntries } from './sparse-matrix.js';
import { defaultTfidfSettings, TfidfVectorizer } from './tfidf-vectorizer.js';

const settings = {
  ...defaultTfidfSettings,
  ngramRange: [1, 1] as [number, number],
  minDf: 1,
  maxDf: 1,
  maxFeatures: null,
};

describe('analyzers', () => {
  it('builds word n-grams from tokens of two or more word characters', () => {
    expect(wordNgrams('a bc de_f 12', 1, 2)).toEqual(['bc', 'de_f', '12', 'bc de_f', 'de_f 12']);
    expect(wordNgrams('one', 2, 3)).toEqual([]);
  });

  it('builds padded character n-grams inside words', () => {
    expect(charWbNgrams('ab  c', 2, 3)).toEqual([' a', 'ab', 'b ', ' ab', 'ab ', ' c', 'c ', ' c ']);
  });
});

describe('TfidfVectorizer', () => {
  it('keeps the most frequent terms, breaking ties alphabetically', () => {
    const vectorizer = new TfidfVectorizer({ ...settings, maxFeatures: 2 });
    vectorizer.fit(['zz yy', 'zz yy xx', 'xx ww']);
    // zz, yy and xx all occur twice; the cut keeps the alphabetically first of the tied terms.
    expect(vectorizer.fitted.vocabulary).toEqual(['xx', 'yy']);
  });

  it('weights by smoothed idf and normalises rows to unit length', () => {
    const vectorizer = new TfidfVectorizer(settings);
    const matrix = vectorizer.fitTransform(['aa bb', 'aa aa cc']);
    const idfBb = Math.log(3 / 2) + 1;
    const first = rowEntries(matrix, 0);
    expect(first.get(0)).toBeCloseTo(1 / Math.sqrt(1 + idfBb ** 2), 12);
    expect(first.get(1)).toBeCloseTo(idfBb / Math.sqrt(1 + idfBb ** 2), 12);
    expect(vectorizer.transform(['unknown words']).values.length).toBe(0);
  });

  it('transforms known word n-grams, one row at a time the same as in a batch', () => {
    const vectorizer = new TfidfVectorizer({ ...settings, ngramRange: [1, 3] });
    vectorizer.fit(['aa bb cc', 'bb cc dd aa', 'dd aa bb']);
    const documents = ['aa bb cc aa bb', 'zz aa bb zz cc', 'dd dd', 'unknown words'];
    const matrix = vectorizer.transform(documents);
    const { vocabulary } = vectorizer.fitted;
    const first = rowEntries(matrix, 0);
    expect([...first.keys()].map((column) => vocabulary[column])).toEqual(
      ['aa', 'aa bb', 'aa bb cc', 'bb', 'bb cc', 'bb cc aa', 'cc', 'cc aa', 'cc aa bb'].filter((term) =>
        vocabulary.includes(term),
      ),
    );
    expect([...rowEntries(matrix, 1).keys()].map((column) => vocabulary[column])).toEqual([
      'aa',
      'aa bb',
      'bb',
      'cc',
    ]);
    documents.forEach((document, row) => {
      const { indices, values } = vectorizer.transformRow(document);
      expect([...indices]).toEqual([...rowEntries(matrix, row).keys()]);
      expect([...values]).toEqual([...rowEntries(matrix, row).values()]);
    });
  });

  it("gives a document's row from its tokens' ids the same as from its text", () => {
    const vectorizer = new TfidfVectorizer({ ...settings, ngramRange: [1, 3] });
    vectorizer.fit(['aa bb cc', 'bb cc dd aa', 'dd aa bb']);
    for (const document of ['aa bb cc dd', 'zz aa bb', 'cc', 'yy xx', 'aa zz bb cc']) {
      const fromText = vectorizer.transformRow(document);
      const [indices, values] = [[...fromText.indices], [...fromText.values]];
      const fromIds = vectorizer.transformTokenIdsRow(vectorizer.tokenIds(document.split(' ')));
      expect([[...fromIds.indices], [...fromIds.values]]).toEqual([indices, values]);
    }
  });

  it('transforms character n-grams as fitted', () => {
    const vectorizer = new TfidfVectorizer({ ...settings, analyzer: 'char_wb', ngramRange: [2, 3] });
    const fitted = vectorizer.fitTransform(['abc', 'abd bc']);
    const again = vectorizer.transform(['abc', 'abd bc']);
    expect([...again.indices]).toEqual([...fitted.indices]);
    expect([...again.values]).toEqual([...fitted.values]);
  });

  it('refuses settings and corpora that leave no terms', () => {
    expect(() => new TfidfVectorizer({ ...settings, maxDf: 1.5 })).toThrow(/max_df/);
    expect(() => new TfidfVectorizer({ ...settings, minDf: 5 }).fit(['aa', 'bb'])).toThrow(/min_df/);
    expect(() => new TfidfVectorizer({ ...settings, minDf: 2 }).fit(['aa', 'bb', 'cc'])).toThrow(
      /no terms remain/,
    );
  });
});
