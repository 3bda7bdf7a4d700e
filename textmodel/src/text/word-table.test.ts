import { describe, expect, it } from 'vitest';
import { codePointMatcher } from './code-point-matcher.js';
import { hashOf, WordRuns, WordTable } from './word-table.js';

function addAll(table: WordTable, words: readonly string[]): number[] {
  return words.map((word) => table.add(word, 0, word.length, hashOf(word)));
}

function find(table: WordTable, word: string): number {
  return table.find(word, 0, word.length, hashOf(word));
}

describe('WordTable', () => {
  it('finds nothing when empty', () => {
    const table = new WordTable();
    expect(table.size).toBe(0);
    expect(find(table, 'lampe')).toBe(-1);
    expect(find(table, '')).toBe(-1);
  });

  it('numbers words 0..n-1 in the order they are added and finds them by their characters in place', () => {
    const table = new WordTable();
    expect(addAll(table, ['lampe', 'salon', 'led'])).toEqual([0, 1, 2]);
    expect(table.size).toBe(3);
    const text = 'une lampe de salon, led';
    expect(table.find(text, 4, 9, hashOf('lampe'))).toBe(0);
    expect(table.find(text, 13, 18, hashOf('salon'))).toBe(1);
    expect(table.find(text, 20, 23, hashOf('led'))).toBe(2);
    expect(table.find(text, 10, 12, hashOf('de'))).toBe(-1);
    expect(find(table, 'lamp')).toBe(-1);
    expect(find(table, 'lampes')).toBe(-1);
  });

  it('tells apart words whose hashes are the same', () => {
    const table = new WordTable();
    const words = ['ab', 'ba', 'abc', 'x', ''];
    words.forEach((word, entry) => {
      expect(table.add(word, 0, word.length, 7)).toBe(entry);
    });
    words.forEach((word, entry) => {
      expect(table.find(word, 0, word.length, 7)).toBe(entry);
    });
    expect(table.find('bb', 0, 2, 7)).toBe(-1);
    // Same hash modulo every table size, different hash: found only under its own.
    expect(table.find('ab', 0, 2, 7 + (1 << 20))).toBe(-1);
  });

  it('grows to hold many words and keeps every entry number', () => {
    const table = new WordTable();
    const words = Array.from({ length: 20_000 }, (_, index) => `mot${index.toString(36)}`);
    expect(addAll(table, words)).toEqual(words.map((_, index) => index));
    expect(table.size).toBe(words.length);
    words.forEach((word, entry) => {
      expect(find(table, word)).toBe(entry);
    });
    expect(find(table, 'mot')).toBe(-1);
  });

  it('starts over when cleared, numbering from 0 again', () => {
    const table = new WordTable();
    addAll(
      table,
      Array.from({ length: 100 }, (_, index) => `w${index}`),
    );
    table.clear();
    expect(table.size).toBe(0);
    expect(find(table, 'w1')).toBe(-1);
    expect(addAll(table, ['w1', 'autre'])).toEqual([0, 1]);
    expect(find(table, 'w1')).toBe(0);
    expect(find(table, 'autre')).toBe(1);
    expect(find(table, 'w2')).toBe(-1);
  });

  it('compares surrogate pairs unit by unit', () => {
    const table = new WordTable();
    addAll(table, ['𝐀𝐁', 'x𝐀', '😀']);
    const text = 'ab 𝐀𝐁 x𝐀 😀 𝐀';
    expect(table.find(text, 3, 7, hashOf('𝐀𝐁'))).toBe(0);
    expect(table.find(text, 8, 11, hashOf('x𝐀'))).toBe(1);
    expect(table.find(text, 12, 14, hashOf('😀'))).toBe(2);
    expect(find(table, '𝐀')).toBe(-1);
    expect(find(table, '\ud835')).toBe(-1);
  });
});

describe('WordRuns', () => {
  const runs = new WordRuns(codePointMatcher(/^[\p{L}\p{N}]$/u));

  it('walks a run of the class to its end, with its hash and code points', () => {
    const text = 'ab 𝐀𝐁c, d';
    expect(runs.walk(text, 0)).toBe(2);
    expect([runs.hash, runs.codePoints]).toEqual([hashOf('ab'), 2]);
    expect(runs.walk(text, 3)).toBe(8);
    expect([runs.hash, runs.codePoints]).toEqual([hashOf('𝐀𝐁c'), 3]);
    expect(runs.walk(text, 10)).toBe(11);
    expect(runs.walk(text, 8)).toBe(8);
    expect(runs.codePoints).toBe(0);
  });

  it('stops at a lone surrogate and at the end of the text', () => {
    expect(runs.walk('ab\ud800cd', 0)).toBe(2);
    expect(runs.walk('ab\ud800cd', 2)).toBe(2);
    expect(runs.walk('ab', 2)).toBe(2);
  });
});
