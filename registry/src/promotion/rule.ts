/** Weighted F1 scores of challenger and champion, both measured on the challenger's held-out split. */
export interface PromotionScores {
  challengerF1: number;
  minF1: number;
  /** Absent when the alias points at no version yet. */
  champion?: { version: number; f1: number };
}

export interface PromotionDecision {
  decision: 'promote' | 'reject';
  reason: string;
}

const f = (score: number) => score.toFixed(4);

/**
 * The automatic rule: promote only if the challenger reaches the threshold and beats the
 * champion on the same held-out data. The threshold applies whether or not a champion exists.
 */
export function decidePromotion({ challengerF1, minF1, champion }: PromotionScores): PromotionDecision {
  if (!(challengerF1 >= minF1)) {
    return {
      decision: 'reject',
      reason: `weighted F1 ${f(challengerF1)} is below the threshold ${f(minF1)}`,
    };
  }
  if (!champion) {
    return { decision: 'promote', reason: `weighted F1 ${f(challengerF1)} ≥ ${f(minF1)}; no champion yet` };
  }
  if (challengerF1 > champion.f1) {
    return {
      decision: 'promote',
      reason: `weighted F1 ${f(challengerF1)} ≥ ${f(minF1)} and beats champion v${champion.version} (${f(champion.f1)}) on the same held-out split`,
    };
  }
  return {
    decision: 'reject',
    reason: `weighted F1 ${f(challengerF1)} does not beat champion v${champion.version} (${f(champion.f1)}) on the same held-out split`,
  };
}
