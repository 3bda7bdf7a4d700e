import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream } from 'node:stream/web';
import type { CatalogRow } from './catalog-row.js';
import { sourceFingerprint } from './fingerprint.js';
import { officialFiles } from './official-format.js';
import { readOfficialFiles } from './official-reader.js';
import { generateSyntheticCatalog } from './synthetic/generator.js';

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

/**
 * The official files served under a base URL (`<url>/X_train_update.csv` and
 * `<url>/Y_train_CVw08PX.csv`), downloaded to a scratch directory, read, and deleted again.
 */
export async function downloadedOfficialSource(baseUrl: string): Promise<CatalogSource> {
  const directory = await fs.mkdtemp(path.join(os.tmpdir(), 'prodclass-source-'));
  try {
    for (const name of Object.values(officialFiles)) {
      const url = new URL(name, baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
      const response = await fetch(url).catch((error: Error) => {
        throw new Error(`downloading ${url} failed: ${error.message}`);
      });
      if (!response.ok || !response.body)
        throw new Error(`downloading ${url} failed: HTTP ${response.status}`);
      await pipeline(
        Readable.fromWeb(response.body as ReadableStream<Uint8Array>),
        createWriteStream(path.join(directory, name)),
      );
    }
    return { ...(await officialSource(directory)), origin: baseUrl };
  } finally {
    await fs.rm(directory, { recursive: true, force: true });
  }
}

export function syntheticSource(rowCount: number, seed: number): CatalogSource {
  const rows = [...generateSyntheticCatalog({ rows: rowCount, seed })];
  return { origin: `synthetic:rows=${rowCount}:seed=${seed}`, rows, fingerprint: sourceFingerprint(rows) };
}
