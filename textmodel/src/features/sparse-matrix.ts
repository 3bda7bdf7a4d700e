/**
 * A compressed sparse row matrix: row i's entries are `values[indptr[i]..indptr[i+1]]` at columns
 * `indices[...]`, in increasing column order.
 */
export interface CsrMatrix {
  rows: number;
  columns: number;
  indptr: Int32Array;
  indices: Int32Array;
  values: Float64Array;
}

/** The entries of one row as a column → value map (for tests and inspection, not hot paths). */
export function rowEntries(matrix: CsrMatrix, row: number): Map<number, number> {
  const entries = new Map<number, number>();
  for (let entry = matrix.indptr[row] as number; entry < (matrix.indptr[row + 1] as number); entry++) {
    entries.set(matrix.indices[entry] as number, matrix.values[entry] as number);
  }
  return entries;
}

/** One sparse row: `values[i]` at column `indices[i]`, in increasing column order. */
export interface SparseRow {
  indices: Int32Array;
  values: Float64Array;
}
