import { describe, expect, it } from 'vitest';
import { documentText, TokenCorpusBuilder, tokenizeTexts } from './token-corpus.js';

describe('TokenCorpus', () => {
  it("renumbers an appended corpus's tokens into the builder's dictionary", () => {
    const texts = ['aa bb aa', 'cc', '', 'bb dd aa'];
    const whole = tokenizeTexts(texts);
    const builder = new TokenCorpusBuilder();
    for (const text of texts.slice(0, 2)) builder.addDocument(text.split(' ').filter(Boolean));
    builder.addCorpus(tokenizeTexts(texts.slice(2)));
    expect(builder.build()).toEqual(whole);
    expect(whole.tokens).toEqual(['aa', 'bb', 'cc', 'dd']);
    expect(Array.from(texts, (_, document) => documentText(whole, document))).toEqual(texts);
  });

  it("tokenizes like scikit-learn's default token pattern", () => {
    const corpus = tokenizeTexts(['a bc, de_f! 12 é']);
    expect(corpus.tokens).toEqual(['bc', 'de_f', '12']);
  });
});
