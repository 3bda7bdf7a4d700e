import { generateSyntheticCatalog } from '@prodclass/catalog/synthetic/generator';
import { describe, expect, it } from 'vitest';
import { defaultTfidfSettings, TfidfVectorizer } from '../features/tfidf-vectorizer.js';
import { productText, productWords } from './product-text.js';
import { ProductTokenIds } from './product-token-ids.js';

const catalog = [...generateSyntheticCatalog({ rows: 3_000, seed: 11 })];
const awkward = [
  { designation: 'Coffret 𝐀𝐁 \u{20000} x², ½ litre', description: 'ISBN 978-2-07 _ a_b ǅemal İstanbul ﬁlm' },
  { designation: 'Piscine Hors-Sol', description: '<p>Pompe&nbsp;incluse 1.5 kW</p> Ã©tÃ© ¿uvre' },
  { designation: 'Ref REF3411772 — 12.345.678 www.shop.fr vente@shop.fr', description: '' },
  { designation: '٣٤ Ⅻ ß e\u0301 \uD800', description: null },
];

describe('ProductTokenIds', () => {
  for (const designationRepeats of [1, 3]) {
    it(`gives the ids of productWords' words (designation repeated ${designationRepeats}×)`, () => {
      const settings = { designationRepeats };
      const vectorizer = new TfidfVectorizer(defaultTfidfSettings);
      vectorizer.fitTransform(catalog.slice(0, 2_000).map((product) => productText(product, settings)));
      const tokenIds = new ProductTokenIds((words) => vectorizer.tokenIds(words), settings);
      // Twice over, so the second pass finds every raw word in the table the first one filled.
      for (const pass of [1, 2]) {
        for (const product of [...catalog, ...awkward]) {
          const expected = [...vectorizer.tokenIds(productWords(product, settings))];
          expect([...tokenIds.of(product)], `pass ${pass}: ${product.designation}`).toEqual(expected);
        }
      }
    });
  }

  it('starts over once it holds half a million raw words, and still answers right', () => {
    const vectorizer = new TfidfVectorizer(defaultTfidfSettings);
    vectorizer.fitTransform(['lampe bureau', 'lampe salon', 'table salon']);
    const tokenIds = new ProductTokenIds((words) => vectorizer.tokenIds(words), { designationRepeats: 1 });
    const product = { designation: 'Lampe de salon', description: null };
    const expected = [...vectorizer.tokenIds(productWords(product, { designationRepeats: 1 }))];
    expect([...tokenIds.of(product)]).toEqual(expected);
    const words = Array.from({ length: 10_000 }, (_, index) => `mot${index.toString(36)}`);
    for (let batch = 0; batch < 55; batch++) {
      tokenIds.of({ designation: words.map((word) => `${word}q${batch}`).join(' ') });
    }
    expect([...tokenIds.of(product)]).toEqual(expected);
  });
});
