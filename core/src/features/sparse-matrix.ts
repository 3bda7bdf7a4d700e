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

/** Keeps the given rows, in the given order. */
export function selectRows(matrix: CsrMatrix, rows: ArrayLike<number>): CsrMatrix {
  let nonZeros = 0;
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r] as number;
    nonZeros += (matrix.indptr[row + 1] as number) - (matrix.indptr[row] as number);
  }
  const indptr = new Int32Array(rows.length + 1);
  const indices = new Int32Array(nonZeros);
  const values = new Float64Array(nonZeros);
  let offset = 0;
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r] as number;
    const start = matrix.indptr[row] as number;
    const end = matrix.indptr[row + 1] as number;
    indices.set(matrix.indices.subarray(start, end), offset);
    values.set(matrix.values.subarray(start, end), offset);
    offset += end - start;
    indptr[r + 1] = offset;
  }
  return { rows: rows.length, columns: matrix.columns, indptr, indices, values };
}
