import { generateSyntheticCatalog } from '../synthetic/generator.js';
import type { CatalogRow } from './catalog-row.js';
import { sourceFingerprint } from './fingerprint.js';
import { readOfficialFiles } from './official-reader.js';

/** All the rows a catalog is loaded from, slice by slice. */
export interface CatalogSource {
  /** Where the rows come from, for the load's metadata: a directory or the generator's settings. */
  origin: string;
  rows: CatalogRow[];
  fingerprint: string;
}

export async function officialSource(directory: string): Promise<CatalogSource> {
  const rows = await readOfficialFiles(directory);
  return { origin: directory, rows, fingerprint: sourceFingerprint(rows) };
}

export function syntheticSource(rowCount: number, seed: number): CatalogSource {
  const rows = [...generateSyntheticCatalog({ rows: rowCount, seed })];
  return { origin: `synthetic:rows=${rowCount}:seed=${seed}`, rows, fingerprint: sourceFingerprint(rows) };
}
