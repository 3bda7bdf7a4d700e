/** The seed's load names: `initial_40.0pct` for the first load, then `week_2`, `week_3`, ... */
export function defaultLoadName(completedLoads: number, cumulativePercentage: number): string {
  return completedLoads === 0
    ? `initial_${cumulativePercentage.toFixed(1)}pct`
    : `week_${completedLoads + 1}`;
}
