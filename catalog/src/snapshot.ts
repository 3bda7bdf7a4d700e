import type pg from 'pg';
import { writeFileAtomically } from './atomic-file.js';
import { csvField } from './csv-field.js';
import { queryInBatches } from './cursor.js';
import { completedLoadNamed, type DataLoad } from './data-loads.js';
import { DatasetFingerprint, type DatasetRow } from './fingerprint.js';

/**
 * The products as they were right after `load` committed, rebuilt from the audit trail: for
 * each product, its latest history entry up to the load's watermark, unless that is a DELETE.
 * Later loads, updates and deletes do not change it. Ascending productid order.
 */
const rowsAsOfLoad = `
  select productid, prdtypecode, designation, description
  from (
    select distinct on (history.productid) history.productid, history.operation,
      product.prdtypecode, product.designation, product.description
    from products_history history,
      jsonb_populate_record(null::products, history.new_row) product
    where history.id <= $1
    order by history.productid, history.id desc
  ) latest
  where operation <> 'DELETE'
  order by productid`;

/** The rows of the catalog as of a completed load, in batches, from one consistent snapshot. */
export async function* snapshotBatches(client: pg.Client, load: DataLoad): AsyncGenerator<DatasetRow[]> {
  await client.query('begin isolation level repeatable read read only');
  let committed = false;
  try {
    for await (const batch of queryInBatches<DatasetRow & { productid: string }>(client, rowsAsOfLoad, [
      load.history_watermark,
    ])) {
      yield batch.map((row) => ({ ...row, productid: Number(row.productid) }));
    }
    await client.query('commit');
    committed = true;
  } finally {
    if (!committed) await client.query('rollback').catch(() => {});
  }
}

export interface CatalogDataset {
  load: DataLoad;
  /** Ascending productid order. */
  rows: DatasetRow[];
  /** See DatasetFingerprint for the exact definition. */
  fingerprint: string;
}

/** The whole catalog as of a completed load, in memory, with its dataset fingerprint. */
export async function readCatalogDataset(client: pg.Client, load: DataLoad): Promise<CatalogDataset> {
  const rows: DatasetRow[] = [];
  const fingerprint = new DatasetFingerprint();
  for await (const batch of snapshotBatches(client, load)) {
    for (const row of batch) {
      fingerprint.add(row);
      rows.push(row);
    }
  }
  return { load, rows, fingerprint: fingerprint.digest() };
}

export interface SnapshotExport {
  load: string;
  file: string;
  rows: number;
  /** See DatasetFingerprint for the exact definition. */
  dataset_fingerprint: string;
}

/**
 * Writes the catalog as of a completed load to a CSV file (header
 * `productid,designation,description,prdtypecode`, RFC 4180), atomically, and returns its
 * dataset fingerprint.
 */
export async function exportSnapshot(
  client: pg.Client,
  loadName: string,
  file: string,
): Promise<SnapshotExport> {
  const load = await completedLoadNamed(client, loadName);
  const fingerprint = new DatasetFingerprint();
  async function* csvLines(): AsyncGenerator<string> {
    yield 'productid,designation,description,prdtypecode\n';
    for await (const batch of snapshotBatches(client, load)) {
      for (const row of batch) {
        fingerprint.add(row);
        yield `${row.productid},${csvField(row.designation)},${csvField(row.description)},${row.prdtypecode}\n`;
      }
    }
  }
  await writeFileAtomically(file, csvLines());
  return { load: load.name, file, rows: fingerprint.rows, dataset_fingerprint: fingerprint.digest() };
}
