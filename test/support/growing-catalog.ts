import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { CatalogRow } from '@prodclass/catalog/catalog-row';
import { writeOfficialFiles } from '@prodclass/catalog/official-writer';
import { generateSyntheticCatalog } from '@prodclass/catalog/synthetic/generator';
import { seededPermutation, shuffleInPlace } from '@prodclass/textmodel/sampling/permutation';
import { productHashPosition } from '@prodclass/textmodel/sampling/productid-split';
import { SeededRandom } from '@prodclass/textmodel/sampling/random';

/**
 * Catalog sources whose later loads make a model genuinely better or worse: official files of
 * the synthetic catalog (`rows` rows, seed 42) in which the rows loaded after the first 40% (loads
 * take slices of one seeded permutation, seed 42, the loads' default) are changed.
 */
export const growingCatalogRows = 12_000;

async function sourceDirectory(later: (rows: CatalogRow[]) => CatalogRow[]): Promise<string> {
  const rows = [...generateSyntheticCatalog({ rows: growingCatalogRows, seed: 42 })];
  const positions = seededPermutation(rows.length, 42).subarray(Math.floor(rows.length * 0.4));
  const changed = later(Array.from(positions, (position) => rows[position] as CatalogRow));
  positions.forEach((position, index) => {
    rows[position] = changed[index] as CatalogRow;
  });
  const directory = await fs.mkdtemp(path.join(os.tmpdir(), 'prodclass-growing-catalog-'));
  await writeOfficialFiles(rows, directory);
  return directory;
}

/** A made-up product-line word per class. */
const lineWord = (code: number) =>
  `gamme${[...String(code)].map((digit) => String.fromCharCode(103 + Number(digit))).join('')}`;

/** Later products belong to new product lines, one word per class: more data teaches it. */
export function betterWithMoreData(): Promise<string> {
  return sourceDirectory((rows) =>
    rows.map((row) => ({
      ...row,
      designation: `${row.designation} ${lineWord(row.prdtypecode)} ${lineWord(row.prdtypecode)}`,
    })),
  );
}

/**
 * Like betterWithMoreData, except that the later products of class `code` that a training run
 * (split key `splitKey`, test size `testSize`) would train on are labelled `as`: the model gets
 * better overall and forgets that class, whose held-out products keep their true label.
 */
export function betterButOneClassMislabelled(
  code: number,
  as: number,
  { splitKey, testSize }: { splitKey: string; testSize: number },
): Promise<string> {
  return sourceDirectory((rows) =>
    rows.map((row) => ({
      ...row,
      designation: `${row.designation} ${lineWord(row.prdtypecode)} ${lineWord(row.prdtypecode)}`,
      prdtypecode:
        row.prdtypecode === code && productHashPosition(row.productid, splitKey) >= testSize
          ? as
          : row.prdtypecode,
    })),
  );
}

/**
 * Later products' labels are shuffled among them: the class shares stay, the text says nothing
 * of the label, so more data only adds noise. (Labels drawn uniformly would teach a challenger
 * the uniform shares of the later held-out rows, and it would win on those.)
 */
export function worseWithMoreData(): Promise<string> {
  return sourceDirectory((rows) => {
    const labels = shuffleInPlace(
      rows.map((row) => row.prdtypecode),
      new SeededRandom(7),
    );
    return rows.map((row, index) => ({ ...row, prdtypecode: labels[index] as number }));
  });
}
