import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../sampling/random.js';
import { cleanText } from './clean-text.js';
import { repairMojibake } from './mojibake.js';

/** Mojibake seen in catalog text, what it repairs to, and what broke it. */
const repairedForms: readonly (readonly [string, string, string])[] = [
  ['Ã©tÃ©', 'été', 'UTF-8 read as cp1252: Ã (0xC3) leads a two-byte letter'],
  ['Ã‰lÃ¨ve', 'Élève', 'capital: the second byte is one of cp1252’s 0x80-0x9F characters'],
  ['forÃªt garÃ§on hÃ´tel Ã®le', 'forêt garçon hôtel île', 'UTF-8 read as cp1252'],
  ['sÃ»r oÃ¹ maÃ¯s NoÃ«l', 'sûr où maïs Noël', '» and « as second bytes'],
  ['voilÃ\u00a0', 'voilà', 'à: its second byte 0xA0 shows as a no-break space'],
  ['Ã€ VENDRE, Ã‡A, ÃŠTRE, CHÃ‚TEAU', 'À VENDRE, ÇA, ÊTRE, CHÂTEAU', 'capitals'],
  ['Â·', '·', 'Â (0xC2) leads Latin-1 punctuation'],
  ['Â«\u00a0prixÂ\u00a0Â»', '«\u00a0prix\u00a0»', 'guillemets and no-break spaces'],
  ['20Â°C, 3 mÂ², Â½', '20°C, 3 m², ½', 'degree, superscript, fraction'],
  ['lâ€™Ã¢me', 'l’âme', 'â (0xE2) leads general punctuation: ’'],
  ['â€œouiâ€\u009d â€˜nonâ€™', '“oui” ‘non’', 'quotes; ” ends in 0x9D, which cp1252 leaves undefined'],
  ['etcâ€¦ â€“ â€” â€¢', 'etc… – — •', 'ellipsis, dashes, bullet'],
  ['1â€¯000 â‚¬', '1\u202f000 €', 'narrow no-break space (U+202F) and €'],
  ['Marqueâ„¢', 'Marque™', '™'],
  ['sÅ“ur Å’UVRE', 'sœur ŒUVRE', 'Å (0xC5) leads œ and Œ'],
  ['\u00c3\u0089t\u00c3\u00a9', 'Été', 'UTF-8 read as Latin-1: C1 controls for 0x80-0x9F'],
  ['l\u00e2\u0080\u0099eau c\u00c5\u0093ur', 'l’eau cœur', 'UTF-8 read as Latin-1'],
  ['ÃƒÂ©tÃƒÂ©', 'été', 'UTF-8 read as cp1252 twice over'],
  ['lÃ¢â‚¬â„¢eau', 'l’eau', '’ read as cp1252 twice over'],
  ['à¢me à©tà© à§a', 'âme été ça', 'lead byte shown as à: second byte + 0x40'],
  ['sà»r Noà«l', 'sûr Noël', '» and « after à inside a word'],
  ['Ã¿cole', 'École', 'Ã¿: second byte lost (0x80-0x9F, a capital): É, the most frequent'],
  ['à¿lÃ¨ve', 'Élève', 'à¿: the same with the lead shown as à'],
  ['caractÃ¿ristique', 'caractéristique', 'Ã¿ after a lowercase letter: é'],
  ['caf¿¿ t¿¿l¿¿phone ¿¿t¿¿', 'café téléphone été', '¿¿: both bytes lost, é in a word'],
  ['CAF¿¿ Ã¿T¿¿', 'CAFÉ ÉTÉ', '¿¿ after a capital: É'],
  ['sac ¿¿ main', 'sac à main', '¿¿ standing alone: à'],
  ['¿uvre chef-d’¿uvre man¿uvre', 'œuvre chef-d’œuvre manœuvre', '¿ for a lost œ before uvr'],
  [
    '¿ufs c¿ur s¿urs b¿uf n¿ud v¿ux v¿u',
    'œufs cœur sœurs bœuf nœud vœux vœu',
    '¿ for œ: uf; in a word also ur(s), ud, ux, u at the end',
  ],
  ['¿Uvres ¿UVRES C¿UR', 'Œuvres ŒUVRES CŒUR', 'title case and capitals: Œ'],
];

/** Text left as it is, and why. */
const keptTexts: readonly (readonly [string, string])[] = [
  ['café\u00a0» fin', 'é, no-break space, » are the UTF-8 bytes of 頻 (CJK): é leads no repair'],
  ['CAFÉ… CAFÉ\u00a0» À\u00a0»', 'É… is the UTF-8 of Ʌ, É + no-break space of ɠ: É leads no repair'],
  ['é›…', 'ordinary French after a word ending in é (ftfy leaves it too)'],
  ['«voilà» déjà… là·bas', '» after à ends the word; à… and à· are not the à-lead form'],
  ['employé·e·s 2\u202f€ 1\u00a0000 n°\u00a05', 'inclusive writing, prices, numbers'],
  ['d¿un l¿usage qu¿une', '¿ for a lost apostrophe: cleaning splits the word there, as at ’'],
  ['¿¿Qué?? ¿Ud.? ¿u otro? ¿¿¿', 'Spanish; three lost bytes (a three-byte character) are not guessed'],
  ['Ã vendre', 'à whose no-break space became a space: not repaired, folding gives the same words'],
  ['Â€ â€«', 'would decode to a control character'],
];

describe('repairMojibake', () => {
  it.each(repairedForms)('repairs %j to %j (%s)', (broken, repaired) => {
    expect(repairMojibake(broken)).toBe(repaired);
  });

  it.each(keptTexts)('leaves %j as it is (%s)', (text) => {
    expect(repairMojibake(text)).toBe(text);
  });

  it('leaves no junk words behind in the cleaned text', () => {
    expect(cleanText('Ã¿cole caf¿¿ ¿Uvres d¿un t¿¿l¿¿phone à¿lÃ¨ve gà¢teau')).toBe(
      'ecole cafe oeuvres telephone eleve gateau',
    );
  });
});

const words = [
  ...['café', 'été', 'déjà', 'voilà', 'là', 'où', 'à', 'çà', 'après', 'très', 'dû', 'sûr', 'mûr'],
  ...['forêt', 'château', 'gâteau', 'âme', 'pâte', 'île', 'maïs', 'naïf', 'Noël', 'ambiguë'],
  ...['capharnaüm', 'L’Haÿ-les-Roses', 'œuvre', 'cœur', 'sœur', 'bœuf', 'nœud', 'vœu', 'Œdipe'],
  ...['cæcum', 'élève', 'façade', 'garçon', 'reçu', 'hôtel', 'côté', 'goût', 'août', 'bébé'],
  ...['poupée', 'fenêtre', 'crème', 'brûlée', 'peut-être', 'chef-d’œuvre', 'aujourd’hui', 'l’été'],
  ...['d’un', 'qu’à', 'jusqu’à', 'entrée', 'clé', 'thé', 'vidéo', 'numéro', 'écran', 'Émilie'],
  ...['Ève', 'Île-de-France', 'État', 'Ça', 'Ô', 'employé·e·s', 'lampe', 'table', 'jeu', 'livre'],
];
const numbers = ['12', '3,50', '1\u202f000', '1\u00a0000', '1er', '2e', '75008', '20°C', '37,5\u00a0°C'];
const amounts = [
  '19,99\u00a0€',
  '19,99\u202f€',
  '5€',
  '€\u00a012',
  '25\u00a0%',
  'n°\u00a05',
  '3\u00a0m²',
  '½',
];
const closings = ['…', '...', '.', ',', ';', ':', '!', '?', '»', '”', '’', ')', '›'];
const openings = ['«', '“', '‘', '(', '‹'];
const spaces = ['', ' ', '\u00a0', '\u202f'];
const separators = [' ', ' ', ' ', '\u00a0', '\u202f', '-', ' – ', ' — ', ', ', '. ', '/'];

/**
 * A French string: words (as written, capitalised or in capitals), numbers and prices, opening marks
 * before a word and closing marks after it with or without a (narrow) no-break space, as French
 * typography has them and as careless typing leaves them.
 */
function frenchString(random: SeededRandom): string {
  let text = '';
  const pieces = 1 + random.below(8);
  for (let piece = 0; piece < pieces; piece++) {
    if (piece > 0) text += random.pick(separators);
    if (random.chance(0.15)) text += random.pick(openings) + random.pick(spaces);
    const kind = random.below(10);
    if (kind === 0) text += random.pick(numbers);
    else if (kind === 1) text += random.pick(amounts);
    else {
      const word = random.pick(words);
      const casing = random.below(4);
      text +=
        casing === 0
          ? word.toUpperCase()
          : casing === 1
            ? word.charAt(0).toUpperCase() + word.slice(1)
            : word;
    }
    if (random.chance(0.3)) text += random.pick(spaces) + random.pick(closings);
  }
  return text;
}

const utf8 = new TextEncoder();
const cp1252 = new TextDecoder('windows-1252');

describe('repairMojibake on generated French', () => {
  it('leaves 100,000 valid French strings unchanged, and repairs them read as cp1252 or Latin-1', () => {
    const random = new SeededRandom(13);
    // The repairs run even where the prefilter would skip them: `Ã© ` ahead makes them run.
    const unconditionally = (text: string) => repairMojibake(`Ã© ${text}`).slice('é '.length);
    const damaged: string[] = [];
    const unrepaired: string[] = [];
    for (let sample = 0; sample < 100_000; sample++) {
      const text = frenchString(random);
      if (repairMojibake(text) !== text || unconditionally(text) !== text) damaged.push(text);
      // ÿ read as cp1252 is `Ã¿`, which stands for a lost É far more often.
      if (text.includes('ÿ')) continue;
      const bytes = utf8.encode(text);
      for (const broken of [cp1252.decode(bytes), String.fromCharCode(...bytes)]) {
        if (repairMojibake(broken) !== text) unrepaired.push(broken);
      }
    }
    expect({ damaged: damaged.length, first: damaged.slice(0, 10) }).toEqual({ damaged: 0, first: [] });
    expect({ unrepaired: unrepaired.length, first: unrepaired.slice(0, 10) }).toEqual({
      unrepaired: 0,
      first: [],
    });
  });
});
