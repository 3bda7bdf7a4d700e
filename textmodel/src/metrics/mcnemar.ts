/** How two classifiers differ on the same labelled rows: the rows only one of them got right. */
export interface PairedDisagreements {
  /** Rows the challenger got right and the champion wrong. */
  challengerOnly: number;
  /** Rows the champion got right and the challenger wrong. */
  championOnly: number;
}

export function pairedDisagreements(
  labels: ArrayLike<number>,
  challenger: ArrayLike<number>,
  champion: ArrayLike<number>,
): PairedDisagreements {
  let challengerOnly = 0;
  let championOnly = 0;
  for (let row = 0; row < labels.length; row++) {
    const challengerRight = challenger[row] === labels[row];
    const championRight = champion[row] === labels[row];
    if (challengerRight && !championRight) challengerOnly++;
    else if (championRight && !challengerRight) championOnly++;
  }
  return { challengerOnly, championOnly };
}

/**
 * One-sided exact McNemar test with the mid-p correction: the probability, if both classifiers
 * were equally good, of the challenger winning at least this many of the n disagreements, with the
 * observed count weighted one half. Under equal skill each disagreement is a fair coin, so this is
 * P(X > b) + P(X = b) / 2 for X ~ Binomial(n, 1/2). With no disagreement it is 0.5.
 */
export function mcnemarMidP({ challengerOnly, championOnly }: PairedDisagreements): number {
  const n = challengerOnly + championOnly;
  // log(k!) for k = 0..n, summed once: exact enough for millions of rows, no overflow.
  const logFactorial = new Float64Array(n + 1);
  for (let k = 2; k <= n; k++) logFactorial[k] = (logFactorial[k - 1] as number) + Math.log(k);
  const logPmf = (k: number) =>
    (logFactorial[n] as number) -
    (logFactorial[k] as number) -
    (logFactorial[n - k] as number) -
    n * Math.LN2;
  let above = 0;
  for (let k = challengerOnly + 1; k <= n; k++) above += Math.exp(logPmf(k));
  return Math.min(1, above + Math.exp(logPmf(challengerOnly)) / 2);
}
