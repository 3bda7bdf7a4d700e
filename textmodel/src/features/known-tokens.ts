import { codePointMatcher } from '../text/code-point-matcher.js';
import { hashOf, WordRuns, WordTable } from '../text/word-table.js';

/** Runs of word characters as `tokenPattern` sees them. */
const wordRuns = new WordRuns(codePointMatcher(/^[\p{L}\p{N}_]$/u));

/**
 * A fixed set of tokens, numbered in the given order, found in texts without building a string
 * per token: `scan` walks a text's characters once, finding the tokens exactly as `tokenPattern`
 * does (maximal runs of two or more letters, digits or underscores), and looks each one up in
 * a word table, whose entry numbers are the tokens' ids.
 */
export class KnownTokens {
  private readonly table = new WordTable();
  /** Where `scan` and `lookup` write ids; replaced by a larger array when a text needs it. */
  private ids = new Int32Array(256);

  /** `tokens` are distinct. */
  constructor(tokens: readonly string[]) {
    for (const token of tokens) this.table.add(token, 0, token.length, hashOf(token));
  }

  /**
   * The ids of the tokens of `text`, -1 for tokens not in the set, in memory the next call reuses
   * (and may replace: use the returned view, never one kept from an earlier call).
   */
  scan(text: string): Int32Array {
    // Tokens are at least two units long and apart, so there are at most (length + 1) / 3.
    if (this.ids.length < text.length) this.ids = new Int32Array(text.length);
    let count = 0;
    let index = 0;
    while (index < text.length) {
      const start = index;
      index = wordRuns.walk(text, index);
      if (index === start) index++;
      else if (wordRuns.codePoints >= 2)
        this.ids[count++] = this.table.find(text, start, index, wordRuns.hash);
    }
    return this.ids.subarray(0, count);
  }

  /** `scan` for tokens already split out of a text. */
  lookup(tokens: readonly string[]): Int32Array {
    if (this.ids.length < tokens.length) this.ids = new Int32Array(tokens.length * 2);
    tokens.forEach((token, index) => {
      this.ids[index] = this.table.find(token, 0, token.length, hashOf(token));
    });
    return this.ids.subarray(0, tokens.length);
  }
}
