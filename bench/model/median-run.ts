/**
 * The run whose fit time is the median of the runs (the lower of the two middle ones when their
 * number is even), so that a table row shows one real run, its breakdown and load included, rather
 * than the luckiest one.
 */
export function medianRun<T extends { fit_seconds: number }>(runs: T[]): T {
  if (runs.length === 0) throw new Error('medianRun needs at least one run');
  const sorted = [...runs].sort((a, b) => a.fit_seconds - b.fit_seconds);
  return sorted[Math.floor((sorted.length - 1) / 2)] as T;
}
