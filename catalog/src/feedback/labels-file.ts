import fs from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { classByCode } from '@prodclass/textmodel/classes';
import { CsvError, parse } from 'csv-parse';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { CatalogFileError } from '../catalog-file-error.js';
import { validatingUtf8 } from '../utf8-validator.js';
import {
  applyStagedLabels,
  prepareStaging,
  resolveStagedLabels,
  type StagedLabel,
  stagedLabelLine,
  stagingCopyStatement,
} from './feedback-store.js';

/** The columns a labels file may have (docs/quality.md); prdtypecode and one target are required. */
export const labelsFileColumns = ['prediction_id', 'productid', 'prdtypecode', 'labeled_at', 'labeled_by'];

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const isoDateTimePattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

function checkHeader(file: string, header: string[]): void {
  for (const name of header) {
    if (!labelsFileColumns.includes(name))
      throw new CatalogFileError(
        file,
        1,
        `unknown column "${name}" (columns: ${labelsFileColumns.join(', ')})`,
      );
  }
  if (new Set(header).size !== header.length) throw new CatalogFileError(file, 1, 'a column appears twice');
  if (!header.includes('prdtypecode')) throw new CatalogFileError(file, 1, 'the header has no prdtypecode');
  if (!header.includes('prediction_id') && !header.includes('productid'))
    throw new CatalogFileError(file, 1, 'the header has neither prediction_id nor productid');
}

/** The prediction or product a line names, or the reason it names none. */
function targetOf(fields: Record<string, string>): StagedLabel['target'] | string {
  const predictionId = fields.prediction_id ?? '';
  const productid = fields.productid ?? '';
  if ((predictionId === '') === (productid === ''))
    return 'a label names either prediction_id or productid, not both or neither';
  if (predictionId !== '') {
    if (!uuidPattern.test(predictionId)) return `prediction_id must be a UUID, found "${predictionId}"`;
    return { predictionId: predictionId.toLowerCase() };
  }
  if (!(/^\d+$/.test(productid) && Number.isSafeInteger(Number(productid))))
    return `productid must be a non-negative integer, found "${productid}"`;
  return { productid: Number(productid) };
}

/** A line's labeled_at (undefined when empty), or the reason it is not one. */
function labeledAtOf(text: string, now: number): Date | undefined | string {
  if (text === '') return undefined;
  const labeledAt = new Date(text);
  if (!isoDateTimePattern.test(text) || Number.isNaN(labeledAt.getTime()))
    return `labeled_at must be an ISO 8601 date-time with a zone such as 2026-12-07T10:00:00Z, found "${text}"`;
  if (labeledAt.getTime() > now) return `labeled_at ${text} is in the future`;
  return labeledAt;
}

/** One line's label, or the reason it is not one. */
function labelOf(
  fields: Record<string, string>,
  line: number,
  defaultLabeledBy: string,
  now: number,
): StagedLabel | string {
  const target = targetOf(fields);
  if (typeof target === 'string') return target;
  const code = fields.prdtypecode ?? '';
  if (!/^-?\d+$/.test(code)) return `prdtypecode must be an integer, found "${code}"`;
  if (!classByCode(Number(code))) return `prdtypecode ${code} is not one of the 27 product-type codes`;
  const labeledAt = labeledAtOf(fields.labeled_at ?? '', now);
  if (typeof labeledAt === 'string') return labeledAt;
  return {
    group: 0,
    position: line,
    target,
    prdtypecode: Number(code),
    ...(labeledAt ? { labeledAt } : {}),
    labeledBy: (fields.labeled_by ?? '').trim() || defaultLabeledBy,
    source: 'cli',
  };
}

/**
 * The labels of a CSV file as COPY lines for the staging table, read as a stream. Bytes that are
 * not UTF-8, broken quoting, a bad header or a bad field is a CatalogFileError naming its line.
 */
async function* labelLines(file: string, defaultLabeledBy: string, counted: { labels: number }) {
  const input = fs.createReadStream(file);
  const utf8 = validatingUtf8(file);
  const parser = parse({ bom: true, relax_column_count: true });
  input.on('error', (error) => parser.destroy(new Error(`cannot read ${file}: ${error.message}`)));
  utf8.on('error', (error) => parser.destroy(error));
  input.pipe(utf8).pipe(parser);
  const now = Date.now();
  let header: string[] | undefined;
  let nextLine = 1;
  let chunk = '';
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      const line = nextLine;
      nextLine += 1 + record.reduce((sum, field) => sum + field.split('\n').length - 1, 0);
      if (!header) {
        header = record;
        checkHeader(file, header);
        continue;
      }
      if (record.length !== header.length)
        throw new CatalogFileError(file, line, `expected ${header.length} fields, found ${record.length}`);
      const fields = Object.fromEntries(header.map((name, index) => [name, record[index] ?? '']));
      const label = labelOf(fields, line, defaultLabeledBy, now);
      if (typeof label === 'string') throw new CatalogFileError(file, line, label);
      counted.labels++;
      chunk += stagedLabelLine(label);
      if (chunk.length >= 1 << 16) {
        yield chunk;
        chunk = '';
      }
    }
  } catch (error) {
    if (error instanceof CsvError) throw new CatalogFileError(file, nextLine, error.message);
    throw error;
  } finally {
    input.destroy();
  }
  if (!header) throw new CatalogFileError(file, 1, 'the file is empty');
  if (chunk) yield chunk;
}

export interface LabelsFileResult {
  /** Lines of the file that hold a label. */
  labels: number;
  /** Predictions those labels were written for. */
  predictions: number;
}

/**
 * Writes the labels of a CSV file (source `cli`) in one transaction, all or nothing: the file is
 * streamed into the staging table, and a line that is malformed, names no logged prediction or is
 * dated before its prediction rolls everything back with a CatalogFileError naming that line.
 */
export async function loadLabelsFile(
  client: pg.Client,
  file: string,
  defaultLabeledBy: string,
): Promise<LabelsFileResult> {
  const counted = { labels: 0 };
  await client.query('begin');
  try {
    await prepareStaging(client);
    await pipeline(
      Readable.from(labelLines(file, defaultLabeledBy, counted)),
      client.query(copyFrom(stagingCopyStatement)),
    );
    const problems = await resolveStagedLabels(client);
    const first = problems[0];
    if (first) {
      const more = problems.length > 1 ? ` (and ${problems.length - 1} more lines)` : '';
      throw new CatalogFileError(file, first.position, `${first.reason}${more}`);
    }
    const predictions = (await applyStagedLabels(client, [])).get(0) ?? 0;
    await client.query('commit');
    return { labels: counted.labels, predictions };
  } catch (error) {
    await client.query('rollback').catch(() => {});
    throw error;
  }
}
