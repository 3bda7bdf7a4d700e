import { codePointMatcher, hashOf, hashStart, hashStep, sameCharacters } from '../text/code-point-matcher.js';

/** UTF-16 units of the word character (as `tokenPattern` sees them) at `index`, or 0 when there is none. */
const wordCharacterUnits = codePointMatcher(/^[\p{L}\p{N}_]$/u);

/**
 * A fixed set of tokens, numbered in the given order, found in texts without building a string
 * per token: `scan` walks a text's characters once, finding the tokens exactly as `tokenPattern`
 * does (maximal runs of two or more letters, digits or underscores), and looks each one up in
 * an open-addressing table by a hash of its characters.
 */
export class KnownTokens {
  /** Per slot: the id of the token stored there, or -1. */
  private readonly slots: Int32Array;
  private readonly hashes: Int32Array;
  /** Where `scan` and `lookup` write ids; replaced by a larger array when a text needs it. */
  private ids = new Int32Array(256);

  constructor(private readonly tokens: readonly string[]) {
    let capacity = 16;
    while (capacity < tokens.length * 2) capacity *= 2;
    this.slots = new Int32Array(capacity).fill(-1);
    this.hashes = new Int32Array(capacity);
    tokens.forEach((token, id) => {
      const hash = hashOf(token);
      let slot = hash & (capacity - 1);
      while (this.slots[slot] !== -1) slot = (slot + 1) & (capacity - 1);
      this.slots[slot] = id;
      this.hashes[slot] = hash;
    });
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
      let units = wordCharacterUnits(text, index);
      if (units === 0) {
        index++;
        continue;
      }
      const start = index;
      let hash = hashStart;
      let codePoints = 0;
      while (units > 0) {
        hash = hashStep(hash, text.charCodeAt(index));
        if (units === 2) hash = hashStep(hash, text.charCodeAt(index + 1));
        index += units;
        codePoints++;
        units = index < text.length ? wordCharacterUnits(text, index) : 0;
      }
      if (codePoints >= 2) this.ids[count++] = this.find(text, start, index, hash);
    }
    return this.ids.subarray(0, count);
  }

  /** `scan` for tokens already split out of a text. */
  lookup(tokens: readonly string[]): Int32Array {
    if (this.ids.length < tokens.length) this.ids = new Int32Array(tokens.length * 2);
    tokens.forEach((token, index) => {
      this.ids[index] = this.find(token, 0, token.length, hashOf(token));
    });
    return this.ids.subarray(0, tokens.length);
  }

  private find(text: string, start: number, end: number, hash: number): number {
    const mask = this.slots.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const id = this.slots[slot] as number;
      if (id === -1) return -1;
      if (this.hashes[slot] === hash && sameCharacters(this.tokens[id] as string, text, start, end))
        return id;
    }
  }
}
