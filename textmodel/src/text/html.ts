// Latin-1 entity names in code-point order from U+00A0 (the HTML 4 list).
const latin1EntityNames =
  'nbsp iexcl cent pound curren yen brvbar sect uml copy ordf laquo not shy reg macr deg plusmn sup2 sup3 ' +
  'acute micro para middot cedil sup1 ordm raquo frac14 frac12 frac34 iquest Agrave Aacute Acirc Atilde ' +
  'Auml Aring AElig Ccedil Egrave Eacute Ecirc Euml Igrave Iacute Icirc Iuml ETH Ntilde Ograve Oacute Ocirc ' +
  'Otilde Ouml times Oslash Ugrave Uacute Ucirc Uuml Yacute THORN szlig agrave aacute acirc atilde auml ' +
  'aring aelig ccedil egrave eacute ecirc euml igrave iacute icirc iuml eth ntilde ograve oacute ocirc ' +
  'otilde ouml divide oslash ugrave uacute ucirc uuml yacute thorn yuml';

const namedEntities = new Map<string, string>([
  ...latin1EntityNames
    .split(' ')
    .map((name, offset): [string, string] => [name, String.fromCharCode(0xa0 + offset)]),
  ['amp', '&'],
  ['lt', '<'],
  ['gt', '>'],
  ['quot', '"'],
  ['apos', "'"],
  ['OElig', 'Œ'],
  ['oelig', 'œ'],
  ['Scaron', 'Š'],
  ['scaron', 'š'],
  ['Yuml', 'Ÿ'],
  ['ndash', '–'],
  ['mdash', '—'],
  ['lsquo', '‘'],
  ['rsquo', '’'],
  ['sbquo', '‚'],
  ['ldquo', '“'],
  ['rdquo', '”'],
  ['bdquo', '„'],
  ['hellip', '…'],
  ['bull', '•'],
  ['euro', '€'],
  ['trade', '™'],
  ['laquo', '«'],
  ['raquo', '»'],
  ['thinsp', ' '],
  ['ensp', ' '],
  ['emsp', ' '],
  ['zwnj', ''],
  ['zwj', ''],
]);

const entityPattern = /&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|([a-zA-Z][a-zA-Z0-9]{1,31}));?/g;

function codePointToString(codePoint: number, original: string): string {
  return codePoint > 0 && codePoint <= 0x10ffff ? String.fromCodePoint(codePoint) : original;
}

function decodeOnce(text: string): string {
  return text.replace(entityPattern, (match, decimal?: string, hex?: string, name?: string) => {
    if (decimal !== undefined) return codePointToString(Number.parseInt(decimal, 10), match);
    if (hex !== undefined) return codePointToString(Number.parseInt(hex, 16), match);
    return namedEntities.get(name as string) ?? match;
  });
}

/** Decodes HTML entities, repeating while the text changes so double-escaped ones (`&amp;eacute;`) decode too. */
export function decodeHtmlEntities(text: string): string {
  let current = text;
  for (let pass = 0; pass < 3 && current.includes('&'); pass++) {
    const decoded = decodeOnce(current);
    if (decoded === current) break;
    current = decoded;
  }
  return current;
}

const tagPattern = /<!--[\s\S]*?-->|<\/?[a-zA-Z][^<>]*>/g;

/** Replaces HTML tags and comments by a space, so words on either side stay apart. */
export function stripHtmlTags(text: string): string {
  return text.includes('<') ? text.replace(tagPattern, ' ') : text;
}
