import { cleanRawWord, type RawWordVisitor, visitRawWords } from './clean-text.js';
import type { ProductText, TextSettings } from './product-text.js';

/** Ids of cleaned words in a fixed vocabulary, -1 for a word not in it. */
export type WordIdLookup = (words: readonly string[]) => ArrayLike<number>;

/** Distinct raw words remembered before starting over: a server cleans text forever. */
const maxEntries = 500_000;
/** Per entry: where its characters start, how many there are, where its ids start, how many. */
const entryFields = 4;

/**
 * The vocabulary ids of a listing's cleaned words: `lookup(productWords(product, settings))`,
 * computed for predicting one listing after another. Each distinct raw word is cleaned and looked
 * up once; after that it is found by its characters in flat typed arrays (a hash slot, its
 * characters, its ids: three cache lines), where the string path reaches a dozen objects per word
 * and looks each cleaned word up again. The ids of one listing are valid until the next call.
 */
export class ProductTokenIds implements RawWordVisitor {
  /** Per slot: the hash of the entry stored there, and the entry, or -1. */
  private slots = new Int32Array(2 * 4096).fill(-1);
  private entries = new Int32Array(entryFields * 1024);
  private entryCount = 0;
  private characters = new Uint16Array(16 * 1024);
  private characterCount = 0;
  private wordIds = new Int32Array(4 * 1024);
  private wordIdCount = 0;
  private ids = new Int32Array(1024);
  private idCount = 0;

  constructor(
    private readonly lookup: WordIdLookup,
    private readonly settings: TextSettings,
  ) {}

  of(product: ProductText): Int32Array {
    this.idCount = 0;
    visitRawWords(product.designation, this);
    const designationIds = this.idCount;
    for (let repeat = 1; repeat < this.settings.designationRepeats; repeat++) {
      this.reserveIds(designationIds);
      this.ids.copyWithin(this.idCount, 0, designationIds);
      this.idCount += designationIds;
    }
    if (product.description) visitRawWords(product.description, this);
    return this.ids.subarray(0, this.idCount);
  }

  word(text: string, start: number, end: number, hash: number): void {
    const entry = this.entryOf(text, start, end, hash);
    const first = this.entries[entry * entryFields + 2] as number;
    const count = this.entries[entry * entryFields + 3] as number;
    this.reserveIds(count);
    for (let index = 0; index < count; index++) {
      this.ids[this.idCount++] = this.wordIds[first + index] as number;
    }
  }

  private entryOf(text: string, start: number, end: number, hash: number): number {
    const mask = (this.slots.length >> 1) - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const entry = this.slots[2 * slot + 1] as number;
      if (entry === -1) return this.add(text.slice(start, end), hash);
      if (this.slots[2 * slot] === hash && this.hasCharacters(entry, text, start, end)) return entry;
    }
  }

  private hasCharacters(entry: number, text: string, start: number, end: number): boolean {
    const first = this.entries[entry * entryFields] as number;
    if (this.entries[entry * entryFields + 1] !== end - start) return false;
    for (let index = start; index < end; index++) {
      if (this.characters[first + index - start] !== text.charCodeAt(index)) return false;
    }
    return true;
  }

  private add(word: string, hash: number): number {
    if (this.entryCount >= maxEntries) this.clear();
    const ids = this.lookup(cleanRawWord(word));
    if (2 * (this.entryCount + 1) > this.slots.length >> 1) this.growSlots();
    this.entries = reserve(this.entries, (this.entryCount + 1) * entryFields);
    this.characters = reserve(this.characters, this.characterCount + word.length);
    this.wordIds = reserve(this.wordIds, this.wordIdCount + ids.length);
    const entry = this.entryCount++;
    const fields = entry * entryFields;
    this.entries[fields] = this.characterCount;
    this.entries[fields + 1] = word.length;
    this.entries[fields + 2] = this.wordIdCount;
    this.entries[fields + 3] = ids.length;
    for (let index = 0; index < word.length; index++) {
      this.characters[this.characterCount++] = word.charCodeAt(index);
    }
    for (let index = 0; index < ids.length; index++) this.wordIds[this.wordIdCount++] = ids[index] as number;
    this.place(entry, hash);
    return entry;
  }

  private place(entry: number, hash: number): void {
    const mask = (this.slots.length >> 1) - 1;
    let slot = hash & mask;
    while (this.slots[2 * slot + 1] !== -1) slot = (slot + 1) & mask;
    this.slots[2 * slot] = hash;
    this.slots[2 * slot + 1] = entry;
  }

  private growSlots(): void {
    const old = this.slots;
    this.slots = new Int32Array(2 * old.length).fill(-1);
    for (let slot = 0; slot < old.length >> 1; slot++) {
      const entry = old[2 * slot + 1] as number;
      if (entry !== -1) this.place(entry, old[2 * slot] as number);
    }
  }

  private clear(): void {
    this.slots.fill(-1);
    this.entryCount = 0;
    this.characterCount = 0;
    this.wordIdCount = 0;
  }

  private reserveIds(more: number): void {
    this.ids = reserve(this.ids, this.idCount + more);
  }
}

/** `array`, or a copy twice as large (or as large as needed) when it holds fewer than `length` items. */
function reserve<T extends Int32Array | Uint16Array>(array: T, length: number): T {
  if (length <= array.length) return array;
  const larger = new (array.constructor as new (length: number) => T)(Math.max(2 * array.length, length));
  larger.set(array);
  return larger;
}
