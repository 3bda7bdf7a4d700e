/** FNV-1a over UTF-16 code units: how the table hashes a word's characters. */
const hashStart = 0x811c9dc5 | 0;

function hashStep(hash: number, code: number): number {
  return Math.imul(hash ^ code, 0x01000193);
}

export function hashOf(text: string): number {
  let hash = hashStart;
  for (let index = 0; index < text.length; index++) hash = hashStep(hash, text.charCodeAt(index));
  return hash;
}

/**
 * Walks runs of characters of one class (a `codePointMatcher`), hashing each run's characters as
 * it goes, so that the table can look the run up where it stands in the text.
 */
export class WordRuns {
  /** Of the run last walked: the hash of its characters, and how many code points it has. */
  hash = hashStart;
  codePoints = 0;

  constructor(private readonly units: (text: string, index: number) => number) {}

  /** The end of the run starting at `index`: `index` itself when no run starts there. */
  walk(text: string, index: number): number {
    let hash = hashStart;
    let codePoints = 0;
    let end = index;
    let units = end < text.length ? this.units(text, end) : 0;
    while (units > 0) {
      hash = hashStep(hash, text.charCodeAt(end));
      if (units === 2) hash = hashStep(hash, text.charCodeAt(end + 1));
      end += units;
      codePoints++;
      units = end < text.length ? this.units(text, end) : 0;
    }
    this.hash = hash;
    this.codePoints = codePoints;
    return end;
  }
}

/**
 * Words numbered 0, 1, 2… in the order they are added, looked up by their characters where they
 * stand in a text (`text`, `start`, `end`, and `hash`, their hashOf), so finding a word costs no
 * string: a slot of an open-addressing table, where the word's characters start, and the
 * characters, kept flat in one typed array. Whoever keeps something per word keeps it in arrays
 * indexed by the entry number.
 */
export class WordTable {
  /** Per slot: the hash of the word stored there, and its entry (-1: the slot is free). */
  private slots = new Int32Array(2 * 16).fill(-1);
  /** Entry `entry`'s characters are `characters[bounds[entry]]` up to `characters[bounds[entry + 1]]`. */
  private bounds = new Int32Array(64);
  private characters = new Uint16Array(256);
  private entryCount = 0;

  /** How many words the table holds: the next entry number. */
  get size(): number {
    return this.entryCount;
  }

  /** The entry of the word `text.slice(start, end)`, or -1 when it is not in the table. */
  find(text: string, start: number, end: number, hash: number): number {
    const slots = this.slots;
    const mask = (slots.length >> 1) - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const entry = slots[2 * slot + 1] as number;
      if (entry === -1) return -1;
      if (slots[2 * slot] === hash && this.hasCharacters(entry, text, start, end)) return entry;
    }
  }

  /** Adds the word `text.slice(start, end)`, which is not in the table yet; returns its entry. */
  add(text: string, start: number, end: number, hash: number): number {
    if (2 * (this.entryCount + 1) > this.slots.length >> 1) this.grow();
    const entry = this.entryCount++;
    this.bounds = reserve(this.bounds, entry + 2);
    const first = this.bounds[entry] as number;
    this.characters = reserve(this.characters, first + end - start);
    for (let index = start; index < end; index++)
      this.characters[first + index - start] = text.charCodeAt(index);
    this.bounds[entry + 1] = first + end - start;
    this.place(hash, entry);
    return entry;
  }

  /** Forgets every word: the next one added is entry 0 again. */
  clear(): void {
    this.slots.fill(-1);
    this.entryCount = 0;
  }

  private hasCharacters(entry: number, text: string, start: number, end: number): boolean {
    const first = this.bounds[entry] as number;
    if ((this.bounds[entry + 1] as number) - first !== end - start) return false;
    const characters = this.characters;
    for (let index = start; index < end; index++) {
      if (characters[first + index - start] !== text.charCodeAt(index)) return false;
    }
    return true;
  }

  private place(hash: number, entry: number): void {
    const slots = this.slots;
    const mask = (slots.length >> 1) - 1;
    let slot = hash & mask;
    while (slots[2 * slot + 1] !== -1) slot = (slot + 1) & mask;
    slots[2 * slot] = hash;
    slots[2 * slot + 1] = entry;
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Int32Array(2 * old.length).fill(-1);
    for (let slot = 0; slot < old.length >> 1; slot++) {
      const entry = old[2 * slot + 1] as number;
      if (entry !== -1) this.place(old[2 * slot] as number, entry);
    }
  }
}

/** `array`, or a copy twice as large (or as large as needed) when it holds fewer than `length` items. */
export function reserve<T extends Int32Array | Uint16Array>(array: T, length: number): T {
  if (length <= array.length) return array;
  const larger = new (array.constructor as new (length: number) => T)(Math.max(2 * array.length, length));
  larger.set(array);
  return larger;
}
