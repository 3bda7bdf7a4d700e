import { createHash, type Hash } from 'node:crypto';
import type { CatalogRow } from './catalog-row.js';

/** The columns that define a labelled data set: what a model trained on it could depend on. */
export type DatasetRow = Pick<CatalogRow, 'productid' | 'prdtypecode' | 'designation' | 'description'>;

/**
 * Dataset fingerprint, version 1: the SHA-256 (lowercase hex) of the UTF-8 text made of one line
 * per product, in ascending productid order, each line being the JSON array
 * `[productid, prdtypecode, designation, description]` (numbers as JSON numbers, description
 * `null` when empty) as JSON.stringify writes it, followed by "\n". It depends on nothing but
 * the rows, so it is the same on every machine and every run.
 */
export class DatasetFingerprint {
  private readonly hash: Hash = createHash('sha256');
  private lastProductId = -1;
  private count = 0;

  /** Rows must come in strictly ascending productid order. */
  add(row: DatasetRow): void {
    if (row.productid <= this.lastProductId)
      throw new Error(
        `dataset rows must come in ascending productid order (${row.productid} after ${this.lastProductId})`,
      );
    this.lastProductId = row.productid;
    this.count++;
    this.hash.update(
      `${JSON.stringify([row.productid, row.prdtypecode, row.designation, row.description])}\n`,
    );
  }

  get rows(): number {
    return this.count;
  }

  digest(): string {
    return this.hash.digest('hex');
  }
}

/**
 * Source fingerprint: the SHA-256 of one JSON line per source row, in source order:
 * `[productid, imageid, prdtypecode, designation, description]`. Two sources with the same
 * fingerprint give the same permutation slices, so the loads of a catalog must share it.
 */
export function sourceFingerprint(rows: readonly CatalogRow[]): string {
  const hash = createHash('sha256');
  for (const row of rows) {
    hash.update(
      `${JSON.stringify([row.productid, row.imageid, row.prdtypecode, row.designation, row.description])}\n`,
    );
  }
  return hash.digest('hex');
}
