import { parquetWriteBuffer } from 'hyparquet-writer';
import type { BalancedRow } from './balanced-set.js';

/** The balanced set as Parquet: split, productid, designation, description, prdtypecode. */
export function balancedSetParquet(rows: readonly BalancedRow[]): Uint8Array {
  const buffer = parquetWriteBuffer({
    columnData: [
      { name: 'split', data: rows.map((row) => row.split), type: 'STRING', nullable: false },
      { name: 'productid', data: rows.map((row) => BigInt(row.productid)), type: 'INT64', nullable: false },
      { name: 'designation', data: rows.map((row) => row.designation), type: 'STRING', nullable: false },
      { name: 'description', data: rows.map((row) => row.description), type: 'STRING' },
      {
        name: 'prdtypecode',
        data: Int32Array.from(rows, (row) => row.prdtypecode),
        type: 'INT32',
        nullable: false,
      },
    ],
  });
  return new Uint8Array(buffer);
}
