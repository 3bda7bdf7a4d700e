import type { SeededRandom } from '@prodclass/textmodel/sampling/random';

/** The dirt that real marketplace text carries: HTML tags, HTML entities and mojibake. */

const entityOf: Record<string, string> = {
  '&': '&amp;',
  "'": '&#39;',
  '+': '&#43;',
  é: '&eacute;',
  è: '&egrave;',
  à: '&agrave;',
  ê: '&ecirc;',
  ç: '&ccedil;',
};
const entityPattern = /[&'+éèàêç]/g;

/** HTML-escapes what a marketplace editor escapes. */
export function escapeEntities(text: string): string {
  return text.replace(entityPattern, (character) => entityOf[character] as string).replace(/ :/g, '&nbsp;:');
}

/** Escapes already escaped text once more, as some feeds did (`&amp;eacute;`). */
export function escapeTwice(escaped: string): string {
  return escaped.replace(/&(?=[a-z#])/g, '&amp;');
}

const mojibakeOf: Record<string, string> = {
  é: 'Ã©',
  è: 'Ã¨',
  ê: 'Ãª',
  à: 'Ã ',
  ç: 'Ã§',
  ô: 'Ã´',
  î: 'Ã®',
  â: 'à¢',
  œ: '¿',
};
const mojibakePattern = /[éèêàçôîâœ]/g;

/** UTF-8 read as Latin-1 (`Ã©`), bullets as `Â·`, and letters lost as `?`. */
export function addMojibake(text: string, random: SeededRandom): string {
  const lostLetters = random.chance(0.3);
  const garbled = text.replace(mojibakePattern, (character) =>
    lostLetters && random.chance(0.5) ? '?' : (mojibakeOf[character] as string),
  );
  return garbled === text || random.chance(0.5) ? garbled.replace(/\. /g, '. Â· ') : garbled;
}

const spanClasses = ['a-list-item', 'a-text-bold', 'product-description', 'texte'];

/** Wraps sentences in the tags seller back-offices produce. */
export function addHtmlTags(sentences: readonly string[], random: SeededRandom): string {
  switch (random.below(4)) {
    case 0:
      return `<p>${sentences.join(' ')}</p>`;
    case 1:
      return sentences.join('<br />');
    case 2:
      return `<ul>${sentences.map((sentence) => `<li>${sentence}</li>`).join('')}</ul>`;
    default: {
      const [first = '', ...rest] = sentences;
      const emphasis = random.chance(0.5) ? 'b' : 'strong';
      const tag = random.chance(0.5) ? `span class="${random.pick(spanClasses)}"` : 'p';
      return `<${emphasis}>${first}</${emphasis}><br /><${tag}>${rest.join(' ')}</${tag.split(' ')[0]}>`;
    }
  }
}

export function titleCase(text: string): string {
  return text.replace(
    /(^|[\s-])(\p{Ll})/gu,
    (_match, before: string, letter: string) => before + letter.toUpperCase(),
  );
}
