import type { CatalogRow } from './catalog-row.js';

const specialCharacters = /[\\\n\r\t]/;
const escapes: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** A value in PostgreSQL's COPY text format (`\N` is NULL). */
export function copyValue(value: string | null): string {
  if (value === null) return '\\N';
  return specialCharacters.test(value)
    ? value.replace(/[\\\n\r\t]/g, (character) => escapes[character] as string)
    : value;
}

/** One line for `COPY products (productid, designation, description, imageid, prdtypecode, load_id)`. */
export function productCopyLine(row: CatalogRow, loadId: number): string {
  return `${row.productid}\t${copyValue(row.designation)}\t${copyValue(row.description)}\t${row.imageid}\t${row.prdtypecode}\t${loadId}\n`;
}
