import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { CatalogRow } from '@prodclass/catalog/catalog-row';
import { generateSyntheticCatalog } from '@prodclass/catalog/synthetic/generator';
import { productClasses } from '@prodclass/textmodel/classes';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runCli } from '../support/cli.js';
import { runPythonCheck } from '../support/python.js';

let rows: CatalogRow[];
let scratch: string;

beforeAll(async () => {
  rows = [...generateSyntheticCatalog({ rows: 84_916, seed: 42 })];
  scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'prodclass-synthetic-'));
});
afterAll(() => fs.rm(scratch, { recursive: true, force: true }));

const share = (selected: readonly CatalogRow[], predicate: (row: CatalogRow) => boolean) =>
  selected.filter(predicate).length / selected.length;
const described = () => rows.filter((row) => row.description !== null);
const germanWords =
  /(^|\s)(und|der|die|das|für|mit|ist|nicht|ein|eine|sehr|auch|sind|kann|dieses|buch|band|ausgabe|verlag)(\s|$)|[äöüß]/giu;
const isGerman = (row: CatalogRow) =>
  `${row.designation} ${row.description ?? ''}`.match(germanWords)?.length ?? 0;

describe('the synthetic catalog looks like the Rakuten training set', () => {
  test('the 27 real codes with their real counts, unique product ids', () => {
    const counts = new Map<number, number>();
    for (const row of rows) counts.set(row.prdtypecode, (counts.get(row.prdtypecode) ?? 0) + 1);
    expect(Object.fromEntries(counts)).toEqual(
      Object.fromEntries(
        productClasses.map((productClass) => [productClass.code, productClass.trainingRows]),
      ),
    );
    expect(new Set(rows.map((row) => row.productid)).size).toBe(84_916);
  });

  test('35% of descriptions are empty (NULL), and the lengths are those of the real text', () => {
    expect(share(rows, (row) => row.description === null)).toBeCloseTo(0.351, 2);
    const designationLengths = rows.map((row) => row.designation.length).sort((a, b) => a - b);
    const mean = designationLengths.reduce((sum, length) => sum + length, 0) / rows.length;
    expect(mean).toBeGreaterThan(60);
    expect(mean).toBeLessThan(80);
    expect(designationLengths[0]).toBeGreaterThanOrEqual(11);
    expect(designationLengths.at(-1)).toBeLessThanOrEqual(250);
    const descriptionLengths = described().map((row) => row.description?.length ?? 0);
    const descriptionMean =
      descriptionLengths.reduce((sum, length) => sum + length, 0) / descriptionLengths.length;
    expect(descriptionMean).toBeGreaterThan(600);
    expect(descriptionMean).toBeLessThan(1_000);
    expect(Math.max(...descriptionLengths)).toBeLessThanOrEqual(12_000);
  });

  test('HTML tags, entities (some double-escaped) and mojibake at the real rates; no commas', () => {
    const withDescription = described();
    expect(
      share(withDescription, (row) => /<(p|br|li|b|strong|span)[\s/>]/.test(row.description ?? '')),
    ).toBeCloseTo(0.28, 1);
    expect(share(withDescription, (row) => /&(#\d+|[a-z]+);/.test(row.description ?? ''))).toBeCloseTo(
      0.6,
      1,
    );
    expect(
      share(withDescription, (row) => /&amp;(#\d+|[a-z]+);/.test(row.description ?? '')),
    ).toBeGreaterThan(0.05);
    const mojibake = share(withDescription, (row) => /Ã|Â·|à¢|¿/.test(row.description ?? ''));
    expect(mojibake).toBeGreaterThan(0.06);
    expect(mojibake).toBeLessThan(0.1);
    expect(rows.some((row) => row.designation.includes(',') || row.description?.includes(','))).toBe(false);
  });

  test('mostly Title Case designations; German concentrated in class 10', () => {
    const titleCased = share(rows, (row) => {
      const words = row.designation.split(' ').filter((word) => /^\p{L}/u.test(word));
      return words.filter((word) => /^\p{Lu}/u.test(word)).length >= 0.8 * words.length;
    });
    expect(titleCased).toBeGreaterThan(0.82);
    expect(titleCased).toBeLessThan(0.95);
    const germanIn = (code: number) =>
      share(
        rows.filter((row) => row.prdtypecode === code),
        (row) => isGerman(row) >= 3,
      );
    expect(germanIn(10)).toBeGreaterThan(0.3);
    expect(
      share(
        rows.filter((row) => row.prdtypecode !== 10),
        (row) => isGerman(row) >= 3,
      ),
    ).toBeLessThan(0.04);
  });

  test('deterministic for a seed, different for another seed', () => {
    expect([...generateSyntheticCatalog({ rows: 84_916, seed: 42 })]).toEqual(rows);
    const again = [...generateSyntheticCatalog({ rows: 1_000, seed: 42 })];
    expect([...generateSyntheticCatalog({ rows: 1_000, seed: 43 })]).not.toEqual(again);
  });
});

test('a TF-IDF + logistic regression model scores a realistic weighted F1 (0.75 to 0.90) at 40%', {
  timeout: 300_000,
}, async () => {
  const result = await runCli(['data', 'generate', '--rows', '84916', '--seed', '42', '--out', scratch], {});
  expect(result.code).toBe(0);
  expect(JSON.parse(result.stdout)).toMatchObject({ rows: 84_916 });
  const header = (await fs.readFile(path.join(scratch, 'X_train_update.csv'), 'utf8'))
    .slice(0, 60)
    .split('\n')[0];
  expect(header).toBe(',designation,description,productid,imageid');
  const score = await runPythonCheck<{ rows: number; f1_weighted: number }>('catalog/f1_band.py', [scratch]);
  expect(score.rows).toBe(33_966);
  expect(score.f1_weighted).toBeGreaterThanOrEqual(0.75);
  expect(score.f1_weighted).toBeLessThanOrEqual(0.9);
});
