import { describe, expect, it } from 'vitest';
import { tokenPattern } from './analyzers.js';
import { KnownTokens } from './known-tokens.js';

const texts = [
  'lampe de chevet led 12v, lampe_2 x',
  'a bb c dd',
  'ĉapelo Ŝuoj naïve café² ⅫⅫ',
  // é as e + a combining accent: the mark is no word character, so it splits the word.
  'cafe\u0301 cafe',
  '𝐀𝐁 𝐀 x𝐀 😀😀 ab😀cd',
  'lone \ud800ab cd\udc00 \udc00\ud800 ef',
  '',
  '__ _ 00',
];

describe('KnownTokens', () => {
  it('finds the same tokens as the token pattern, by id, unknown ones as -1', () => {
    const vocabulary = [
      'lampe',
      'led',
      'lampe_2',
      'bb',
      'café²',
      'ⅫⅫ',
      'cafe',
      '𝐀𝐁',
      'x𝐀',
      'ab',
      'cd',
      'ef',
      '__',
      '00',
    ];
    const known = new KnownTokens(vocabulary);
    for (const text of texts) {
      const expected = (text.match(tokenPattern) ?? []).map((token) => vocabulary.indexOf(token));
      expect([...known.scan(text)], text).toEqual(expected);
    }
  });

  it('finds every token of a set large enough for slots to be shared', () => {
    const vocabulary = Array.from({ length: 500 }, (_, index) => `t${index}`);
    const known = new KnownTokens(vocabulary);
    expect([...known.scan(vocabulary.join(' '))]).toEqual(vocabulary.map((_, index) => index));
  });
});
