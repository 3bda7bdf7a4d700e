/** Turns a (cleaned) text into the terms a vectorizer counts. */
export type Analyzer = (text: string) => string[];

export type AnalyzerKind = 'word' | 'char_wb';

// scikit-learn's default token pattern `(?u)\b\w\w+\b` matches exactly the maximal runs of two or
// more word characters; JavaScript's \b is ASCII-only even with the u flag, so the runs are spelled out.
export const tokenPattern = /[\p{L}\p{N}_]{2,}/gu;

/** Word n-grams as scikit-learn builds them: tokens, then all n-grams for n in the range, joined by a space. */
export function wordNgrams(text: string, minN: number, maxN: number): string[] {
  const tokens = text.match(tokenPattern) ?? [];
  const terms: string[] = minN === 1 ? [...tokens] : [];
  for (let n = Math.max(minN, 2); n <= Math.min(maxN, tokens.length); n++) {
    for (let start = 0; start + n <= tokens.length; start++) {
      let term = tokens[start] as string;
      for (let next = start + 1; next < start + n; next++) term += ` ${tokens[next]}`;
      terms.push(term);
    }
  }
  return terms;
}

/**
 * Character n-grams inside words, each word padded with one space on both sides (scikit-learn's
 * `char_wb`); a word shorter than n yields its padded self once.
 */
export function charWbNgrams(text: string, minN: number, maxN: number): string[] {
  const terms: string[] = [];
  for (const word of text.split(/\s+/)) {
    if (word.length === 0) continue;
    const padded = ` ${word} `;
    for (let n = minN; n <= maxN; n++) {
      let offset = 0;
      terms.push(padded.slice(offset, offset + n));
      while (offset + n < padded.length) {
        offset++;
        terms.push(padded.slice(offset, offset + n));
      }
      if (offset === 0) break;
    }
  }
  return terms;
}

export function buildAnalyzer(kind: AnalyzerKind, ngramRange: readonly [number, number]): Analyzer {
  const [minN, maxN] = ngramRange;
  return kind === 'word' ? (text) => wordNgrams(text, minN, maxN) : (text) => charWbNgrams(text, minN, maxN);
}
