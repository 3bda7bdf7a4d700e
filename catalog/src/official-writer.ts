import path from 'node:path';
import { writeFileAtomically } from './atomic-file.js';
import type { CatalogRow } from './catalog-row.js';
import { csvField } from './csv-field.js';
import { officialFiles, officialHeaders } from './official-format.js';

export interface WrittenFiles {
  products: string;
  labels: string;
  rows: number;
}

/**
 * Writes rows in the official format (X file and Y file sharing the index column). Both files
 * are streamed: the labels are kept as numbers only, so millions of rows fit in memory.
 */
export async function writeOfficialFiles(
  rows: Iterable<CatalogRow>,
  directory: string,
  onProgress: (rowsWritten: number) => void = () => {},
): Promise<WrittenFiles> {
  const labels: number[] = [];
  function* productLines(): Generator<string> {
    yield `${officialHeaders.products.join(',')}\n`;
    for (const row of rows) {
      const index = labels.length;
      labels.push(row.prdtypecode);
      yield `${index},${csvField(row.designation)},${csvField(row.description)},${row.productid},${row.imageid}\n`;
      if ((index + 1) % 100_000 === 0) onProgress(index + 1);
    }
  }
  function* labelLines(): Generator<string> {
    yield `${officialHeaders.labels.join(',')}\n`;
    for (let index = 0; index < labels.length; index++) yield `${index},${labels[index]}\n`;
  }
  const products = path.join(directory, officialFiles.products);
  const labelsFile = path.join(directory, officialFiles.labels);
  await writeFileAtomically(products, productLines());
  await writeFileAtomically(labelsFile, labelLines());
  onProgress(labels.length);
  return { products, labels: labelsFile, rows: labels.length };
}
