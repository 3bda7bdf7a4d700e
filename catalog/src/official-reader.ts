import fs from 'node:fs';
import path from 'node:path';
import { classByCode } from '@prodclass/textmodel/classes';
import { type CsvError, parse } from 'csv-parse';
import { CatalogFileError } from './catalog-file-error.js';
import type { CatalogRow } from './catalog-row.js';
import { officialFiles, officialHeaders } from './official-format.js';
import { validatingUtf8 } from './utf8-validator.js';

const integerPattern = /^\d+$/;

/**
 * What is wrong with broken quoting, for the line its record starts on: csv-parse only notices an
 * unclosed quote at the next quote, often many lines further, where there is nothing to fix.
 */
function quotingReason(error: CsvError, header: readonly string[]): string {
  const name = typeof error.column === 'number' ? header[error.column] : undefined;
  const field = name === undefined ? 'a field' : `the ${name || 'index'}`;
  switch (error.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
    case 'CSV_INVALID_CLOSING_QUOTE':
      return `${field} of the record starting on this line opens a quote that is never closed (a closing quote is followed by a comma or the end of the line; a quote inside a field is written "")`;
    case 'INVALID_OPENING_QUOTE':
      return `${field} of the record starting on this line has a quote but does not start with one (quote the whole field and write the quote as "")`;
    default:
      return error.message;
  }
}

/**
 * The line breaks inside a record's fields, counted as LFs like the physical lines of an editor or
 * `sed -n`: csv-parse's own count takes a CRLF inside a quoted field for two lines.
 */
function linesInside(fields: readonly string[]): number {
  let count = 0;
  for (const field of fields)
    for (let at = field.indexOf('\n'); at !== -1; at = field.indexOf('\n', at + 1)) count++;
  return count;
}

/**
 * Calls `onRecord` for each record of an RFC 4180 file (quotes, `""` and newlines inside quoted
 * fields), with the line the record starts on. Bytes that are not UTF-8, a header other than
 * `header`, a record with the wrong number of fields or broken quoting is a CatalogFileError
 * naming one line: for broken quoting, the line its record starts on.
 */
function readCsv(
  file: string,
  header: readonly string[],
  onRecord: (fields: string[], line: number) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let nextLine = 1;
    let failed = false;
    const fail = (error: unknown) => {
      if (failed) return;
      failed = true;
      input.destroy();
      reject(error);
    };
    const parser = parse({ relax_column_count: true, bom: true });
    const input = fs.createReadStream(file);
    const utf8 = validatingUtf8(file);
    parser.on('data', (record: string[]) => {
      if (failed) return;
      const line = nextLine;
      nextLine = line + 1 + linesInside(record);
      try {
        if (line === 1) {
          if (record.join(',') !== header.join(','))
            throw new CatalogFileError(file, 1, `expected the header "${header.join(',')}"`);
          return;
        }
        if (record.length !== header.length)
          throw new CatalogFileError(file, line, `expected ${header.length} fields, found ${record.length}`);
        onRecord(record, line);
      } catch (error) {
        fail(error);
      }
    });
    parser.on('error', (error: CsvError) =>
      fail(new CatalogFileError(file, nextLine, quotingReason(error, header))),
    );
    parser.on('end', () => {
      if (failed) return;
      if (nextLine === 1) fail(new CatalogFileError(file, 1, 'the file is empty'));
      else resolve();
    });
    input.on('error', (error) => fail(new Error(`cannot read ${file}: ${error.message}`)));
    utf8.on('error', fail);
    input.pipe(utf8).pipe(parser);
  });
}

function integerField(value: string, name: string, file: string, line: number): number {
  const number = Number(value);
  if (!integerPattern.test(value) || !Number.isSafeInteger(number))
    throw new CatalogFileError(file, line, `${name} must be a non-negative integer, found "${value}"`);
  return number;
}

interface Label {
  code: number;
  line: number;
}

/**
 * Reads the official training files (X_train_update.csv and Y_train_CVw08PX.csv in `directory`),
 * joined on their index column, in X file order. The whole pair is validated before anything is
 * returned, so a malformed file is rejected as a whole with its file, line and reason.
 */
export async function readOfficialFiles(directory: string): Promise<CatalogRow[]> {
  const labelsFile = path.join(directory, officialFiles.labels);
  const productsFile = path.join(directory, officialFiles.products);
  const labels = new Map<number, Label>();
  await readCsv(labelsFile, officialHeaders.labels, ([indexField = '', codeField = ''], line) => {
    const index = integerField(indexField, 'the index', labelsFile, line);
    if (labels.has(index)) throw new CatalogFileError(labelsFile, line, `index ${index} appears twice`);
    if (!/^-?\d+$/.test(codeField))
      throw new CatalogFileError(labelsFile, line, `prdtypecode must be an integer, found "${codeField}"`);
    const code = Number(codeField);
    if (!classByCode(code)) throw new CatalogFileError(labelsFile, line, `unknown prdtypecode ${code}`);
    labels.set(index, { code, line });
  });

  const rows: CatalogRow[] = [];
  const seenIndexes = new Set<number>();
  const seenProducts = new Map<number, number>();
  await readCsv(
    productsFile,
    officialHeaders.products,
    ([indexField = '', designation = '', description = '', productField = '', imageField = ''], line) => {
      const index = integerField(indexField, 'the index', productsFile, line);
      if (seenIndexes.has(index))
        throw new CatalogFileError(productsFile, line, `index ${index} appears twice`);
      seenIndexes.add(index);
      const label = labels.get(index);
      if (!label)
        throw new CatalogFileError(productsFile, line, `index ${index} has no label in ${labelsFile}`);
      if (designation.trim() === '') throw new CatalogFileError(productsFile, line, 'designation is empty');
      const productid = integerField(productField, 'productid', productsFile, line);
      const firstLine = seenProducts.get(productid);
      if (firstLine !== undefined)
        throw new CatalogFileError(
          productsFile,
          line,
          `productid ${productid} already appears on line ${firstLine}`,
        );
      seenProducts.set(productid, line);
      rows.push({
        productid,
        imageid: integerField(imageField, 'imageid', productsFile, line),
        designation,
        description: description === '' ? null : description,
        prdtypecode: label.code,
      });
    },
  );
  for (const [index, label] of labels) {
    if (!seenIndexes.has(index))
      throw new CatalogFileError(labelsFile, label.line, `index ${index} has no product in ${productsFile}`);
  }
  return rows;
}
