import { cleanRawWord, type RawWordVisitor, visitRawWords } from './clean-text.js';
import type { ProductText, TextSettings } from './product-text.js';
import type { TokenSources } from './token-sources.js';
import { reserve, WordTable } from './word-table.js';

/** Ids of cleaned words in a fixed vocabulary, -1 for a word not in it. */
export type WordIdLookup = (words: readonly string[]) => ArrayLike<number>;

/** Distinct raw words remembered before starting over: a server cleans text forever. */
const maxEntries = 500_000;

/**
 * The vocabulary ids of a listing's cleaned words: `lookup(productWords(product, settings))`,
 * computed for predicting one listing after another. Each distinct raw word is cleaned and looked
 * up once; after that it is found by its characters in a word table and its ids read from flat
 * typed arrays, where the string path reaches a dozen objects per word and looks each cleaned word
 * up again. The ids of one listing are valid until the next call.
 */
export class ProductTokenIds implements RawWordVisitor {
  private readonly rawWords = new WordTable();
  /** The ids of raw word `entry` are `wordIds[idBounds[entry]]` up to `wordIds[idBounds[entry + 1]]`. */
  private idBounds = new Int32Array(1024);
  private wordIds = new Int32Array(4 * 1024);
  private ids = new Int32Array(1024);
  private idCount = 0;
  private sources: TokenSources | null = null;

  constructor(
    private readonly lookup: WordIdLookup,
    private readonly settings: TextSettings,
  ) {}

  /** With `sources`, also where each id's word stands in the listing (cleared first). */
  of(product: ProductText, sources?: TokenSources): Int32Array {
    this.idCount = 0;
    this.sources = sources ?? null;
    sources?.clear();
    visitRawWords(product.designation, this);
    const designationIds = this.idCount;
    for (let repeat = 1; repeat < this.settings.designationRepeats; repeat++) {
      this.reserveIds(designationIds);
      this.ids.copyWithin(this.idCount, 0, designationIds);
      this.idCount += designationIds;
      sources?.repeat(designationIds);
    }
    if (product.description) visitRawWords(product.description, this);
    this.sources = null;
    return this.ids.subarray(0, this.idCount);
  }

  text(prepared: string, lower: string): void {
    this.sources?.addField(prepared, lower);
  }

  word(text: string, start: number, end: number, hash: number): void {
    let entry = this.rawWords.find(text, start, end, hash);
    if (entry === -1) entry = this.add(text, start, end, hash);
    const first = this.idBounds[entry] as number;
    const count = (this.idBounds[entry + 1] as number) - first;
    this.reserveIds(count);
    for (let index = 0; index < count; index++) {
      this.ids[this.idCount++] = this.wordIds[first + index] as number;
    }
    this.sources?.addWord(text, start, end, count);
  }

  private add(text: string, start: number, end: number, hash: number): number {
    if (this.rawWords.size >= maxEntries) this.rawWords.clear();
    const ids = this.lookup(cleanRawWord(text.slice(start, end)));
    const entry = this.rawWords.add(text, start, end, hash);
    const first = this.idBounds[entry] as number;
    this.idBounds = reserve(this.idBounds, entry + 2);
    this.wordIds = reserve(this.wordIds, first + ids.length);
    for (let index = 0; index < ids.length; index++) this.wordIds[first + index] = ids[index] as number;
    this.idBounds[entry + 1] = first + ids.length;
    return entry;
  }

  private reserveIds(more: number): void {
    this.ids = reserve(this.ids, this.idCount + more);
  }
}
