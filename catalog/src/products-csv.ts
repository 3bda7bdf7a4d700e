import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream';
import type { LabelledProduct, ProductText } from '@prodclass/textmodel/text/product-text';
import { parse } from 'csv-parse';
import { validatingUtf8 } from './utf8-validator.js';

interface CsvRecord {
  record: Record<string, string>;
  info: { lines: number };
}

function requireColumns(path: string, header: string[], required: readonly string[]): void {
  const missing = required.filter((column) => !header.includes(column));
  if (missing.length > 0) {
    throw new Error(
      `${path}: missing column(s) ${missing.join(', ')}; expected a header like productid,designation,description,prdtypecode`,
    );
  }
}

async function* csvRecords(path: string, required: readonly string[]): AsyncGenerator<CsvRecord> {
  // pipeline, not pipe: a refused byte or a missing file must end the parser's iteration too.
  const parser = pipeline(
    createReadStream(path),
    validatingUtf8(path),
    parse({
      bom: true,
      info: true,
      skip_empty_lines: true,
      columns: (header: string[]) => {
        requireColumns(path, header, required);
        return header;
      },
    }),
    () => {},
  );
  try {
    for await (const entry of parser) yield entry as CsvRecord;
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    if (code === 'ENOENT') throw new Error(`${path}: no such file`);
    if (message.startsWith(`${path}:`)) throw error;
    throw new Error(`${path}: not a readable CSV file (${message})`);
  }
}

/**
 * Reads products in the catalog's export format (header `productid,designation,description,prdtypecode`,
 * RFC 4180 quoting). Every row needs a designation and, when `labelled`, an integer prdtypecode.
 */
export async function readProductsCsv(path: string, labelled: true): Promise<LabelledProduct[]>;
export async function readProductsCsv(path: string, labelled: false): Promise<ProductText[]>;
export async function readProductsCsv(
  path: string,
  labelled: boolean,
): Promise<Array<ProductText | LabelledProduct>> {
  const products: Array<ProductText | LabelledProduct> = [];
  for await (const { record, info } of csvRecords(
    path,
    labelled ? ['designation', 'prdtypecode'] : ['designation'],
  )) {
    const designation = record.designation?.trim() ?? '';
    if (designation === '') throw new Error(`${path}:${info.lines}: the designation is empty`);
    const description = record.description?.trim() || null;
    if (!labelled) {
      products.push({ designation, description });
      continue;
    }
    const code = record.prdtypecode?.trim() ?? '';
    if (!/^\d+$/.test(code))
      throw new Error(`${path}:${info.lines}: prdtypecode "${code}" is not an integer`);
    products.push({ designation, description, prdtypecode: Number(code) });
  }
  if (products.length === 0) throw new Error(`${path}: no products (the file is empty or has only a header)`);
  return products;
}
