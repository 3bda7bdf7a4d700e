// Letters that Unicode does not decompose into a base letter plus accents.
const undecomposedLetters = new Map<string, string>([
  ['œ', 'oe'],
  ['æ', 'ae'],
  ['ß', 'ss'],
  ['ø', 'o'],
  ['đ', 'd'],
  ['ł', 'l'],
  ['ð', 'd'],
  ['þ', 'th'],
  ['ı', 'i'],
]);
const undecomposedPattern = /[œæßøđłðþı]/g;

/** Lowercases and removes accents: `Élève Œuvre` becomes `eleve oeuvre`. */
export function lowercaseAndFoldAccents(text: string): string {
  const lower = text.toLowerCase();
  if (!/[^\p{ASCII}]/u.test(lower)) return lower;
  return lower
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(undecomposedPattern, (letter) => undecomposedLetters.get(letter) ?? letter);
}
