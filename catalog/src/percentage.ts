/**
 * Load percentages are kept in hundredths of a percent (4000 = 40%), so that the arithmetic is
 * exact: the rows of a percentage are floor(total * hundredths / 10000), as the seed counted
 * them (40% of 84,916 = 33,966 rows; 43% = 36,513).
 */
export function hundredthsOf(percentage: number, what: string): number {
  const hundredths = Math.round(percentage * 100);
  if (!Number.isFinite(percentage) || Math.abs(hundredths - percentage * 100) > 1e-6)
    throw new Error(`${what} must be a number with at most two decimals, got ${percentage}`);
  return hundredths;
}

export function rowsAt(totalRows: number, hundredths: number): number {
  return Math.floor((totalRows * hundredths) / 10_000);
}

export function percentageOf(hundredths: number): number {
  return hundredths / 100;
}
