import { describe, expect, it } from 'vitest';
import { tokenPattern } from '../features/analyzers.js';
import { cleanText } from './clean-text.js';
import { decodeHtmlEntities } from './html.js';
import { repairMojibake } from './mojibake.js';
import { productText, productWords } from './product-text.js';

describe('cleanText', () => {
  it('decodes entities, including double-escaped ones, and strips tags', () => {
    expect(decodeHtmlEntities('caf&eacute; &amp;eacute;t&amp;eacute; &#39;a&#x27; &#43;')).toBe(
      "café été 'a' +",
    );
    expect(cleanText('<p>Table <b>basse</b>&nbsp;en ch&amp;ecirc;ne</p><br />salon')).toBe(
      'table basse chene salon',
    );
  });

  it('repairs common mojibake before folding accents', () => {
    expect(repairMojibake('Ã©tÃ© Â· lâ€™Ã¢me')).toBe('été · l’âme');
    expect(repairMojibake('à¢me et ¿uvre')).toBe('âme et œuvre');
    expect(cleanText('Ã‰lÃ¨ve chef-d’¿uvre')).toBe('eleve chef oeuvre');
  });

  it('leaves every text without mojibake as it is, however many accents it has', () => {
    // Texts built from the characters the repairs look at: each must come out the same as from
    // running the repairs unconditionally.
    const alphabet = [...'aeuUTvrÃÂÅâàé¿©·¢€„“™’»« \u00a0\u00c2\u00df\u00e0\u00ef\u0080\u00bf'];
    const unconditionally = (text: string) =>
      repairMojibake(`Ã© ${text}`).slice(repairMojibake('Ã© ').length);
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let sample = 0; sample < 20_000; sample++) {
      const length = 1 + Math.floor(random() * 8);
      const text = Array.from({ length }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
      expect(repairMojibake(text), JSON.stringify(text)).toBe(unconditionally(text));
    }
  });

  it('removes URLs, e-mails, reference codes and long numbers, keeps sizes', () => {
    expect(cleanText('Voir https://exemple.fr/p?id=3 ou www.shop.com contact: vente@shop.fr')).toBe(
      'voir contact',
    );
    expect(cleanText('Lampe REF3411772 EAN 3760123456789 ISBN 978-2-07-036822-8 hauteur 144 cm ps4')).toBe(
      'lampe ean isbn hauteur 144 cm ps4',
    );
  });

  it('lowercases, folds accents and drops French, English and German stop words', () => {
    expect(cleanText('Le Château de la Forêt and the Garden für die Kinder')).toBe(
      'chateau foret garden kinder',
    );
    expect(cleanText('Œuvre ÉLÈVE Straße')).toBe('oeuvre eleve strasse');
  });

  it('finds words like the regular expressions that specify them, on awkward text', () => {
    // The specification: digit groups joined, then runs of letters, marks and digits.
    const specifiedWords = (text: string) =>
      text
        .toLowerCase()
        .replace(/\d(?:[-.]\d+)+/g, (group) => group.replace(/[-.]/g, ''))
        .match(/[\p{L}\p{M}\p{N}]+/gu) ?? [];
    const pieces = [
      'a',
      'É',
      'e\u0301',
      'ß',
      '½',
      '7',
      '-',
      '.',
      ' ',
      '𝐀𝐁',
      '\u{20000}',
      '\uD800',
      '٣',
      'ǅ',
      'ﬁ',
      'x',
    ];
    let seed = 7;
    for (let sample = 0; sample < 2000; sample++) {
      let text = '';
      for (let piece = 0; piece < 12; piece++) {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        text += pieces[seed % pieces.length];
      }
      expect(cleanText(text)).toBe(specifiedWords(text).map(cleanText).filter(Boolean).join(' '));
    }
  });

  it('is idempotent', () => {
    const once = cleanText('<li>Coussin d&eacute;coratif 45x45 &amp;eacute;t&eacute; REF-12345</li>');
    expect(cleanText(once)).toBe(once);
  });
});

describe('productText', () => {
  it('combines designation and description, repeating the designation to weight it', () => {
    const product = { designation: 'Piscine Hors-Sol', description: '<p>Pompe incluse</p>' };
    expect(productText(product, { designationRepeats: 1 })).toBe('piscine hors sol pompe incluse');
    expect(productText(product, { designationRepeats: 2 })).toBe(
      'piscine hors sol piscine hors sol pompe incluse',
    );
    expect(productText({ designation: 'Piscine', description: null }, { designationRepeats: 1 })).toBe(
      'piscine',
    );
  });
});

describe('productWords', () => {
  it('gives the tokens the vectorizer finds in productText, so training can skip re-tokenizing', () => {
    const listings = [
      {
        designation: 'Coffret 𝐀𝐁 \u{20000} x², ½ litre',
        description: 'ISBN 978-2-07 _ a_b ǅemal İstanbul ﬁlm',
      },
      { designation: 'Piscine Hors-Sol', description: '<p>Pompe&nbsp;incluse 1.5 kW</p>' },
      { designation: '٣٤ Ⅻ ß', description: null },
    ];
    for (const listing of listings) {
      for (const designationRepeats of [1, 2]) {
        const settings = { designationRepeats };
        expect(productWords(listing, settings)).toEqual(
          productText(listing, settings).match(tokenPattern) ?? [],
        );
      }
    }
  });
});
