import {
  type ClassGuardrails,
  classDropViolation,
  criticalClassViolation,
  type PerClassScores,
} from './class-guardrails.js';

/**
 * The champion and the challenger scored on the same rows: the challenger's held-out rows that
 * the champion never trained on. Weighted F1 for both, and the paired test on those rows.
 */
export interface ChampionComparison {
  version: number;
  /** The champion's weighted F1 on the comparison rows. */
  f1: number;
  /** The challenger's weighted F1 on the comparison rows. */
  challengerF1: number;
  rows: number;
  /** Challenger held-out rows left out because the champion trained on them. */
  excludedRows: number;
  /** Comparison rows only the challenger got right. */
  challengerOnly: number;
  /** Comparison rows only the champion got right. */
  championOnly: number;
  /** One-sided exact McNemar mid-p that the challenger is the better of the two. */
  midP: number;
  /** The champion's per-class scores on the comparison rows. */
  perClass: PerClassScores;
  /** The challenger's per-class scores on the comparison rows. */
  challengerPerClass: PerClassScores;
}

export interface PromotionScores {
  /** The challenger's weighted F1 on its whole held-out split. */
  challengerF1: number;
  minF1: number;
  minComparisonRows: number;
  guardrails: ClassGuardrails;
  /** The challenger's per-class scores on its whole held-out split. */
  challengerPerClass: PerClassScores;
  /** Absent when the alias points at no version yet. */
  champion?: ChampionComparison;
}

export interface PromotionDecision {
  decision: 'promote' | 'reject';
  reason: string;
}

/** A challenger must beat the champion at this one-sided significance level. */
export const significanceLevel = 0.05;

const f = (score: number) => score.toFixed(4);
const p = (value: number) => (value < 0.0001 ? value.toExponential(1) : value.toFixed(4));

function comparisonText(champion: ChampionComparison): string {
  return (
    `weighted F1 ${f(champion.challengerF1)} vs champion v${champion.version} ${f(champion.f1)} on ` +
    `${champion.rows} shared held-out rows the champion never trained on ` +
    `(${champion.excludedRows} it trained on left out); McNemar: challenger alone right on ` +
    `${champion.challengerOnly}, champion alone on ${champion.championOnly}, one-sided mid-p ${p(champion.midP)}`
  );
}

/**
 * The automatic rule. The challenger must reach the threshold on its held-out split and keep
 * every critical class at its floor there (whether or not a champion exists); then, on the
 * held-out rows the champion never trained on, there must be enough of them, no class may lose
 * more than the allowed margin of F1 or recall, the challenger's weighted F1 must be higher, and
 * the McNemar test must find it right significantly more often than the champion (mid-p below
 * the significance level).
 */
export function decidePromotion({
  challengerF1,
  minF1,
  minComparisonRows,
  guardrails,
  challengerPerClass,
  champion,
}: PromotionScores): PromotionDecision {
  if (!(challengerF1 >= minF1)) {
    return {
      decision: 'reject',
      reason: `weighted F1 ${f(challengerF1)} is below the threshold ${f(minF1)}`,
    };
  }
  const critical = criticalClassViolation(guardrails, challengerPerClass);
  if (critical) return { decision: 'reject', reason: critical.reason };
  if (!champion) {
    return { decision: 'promote', reason: `weighted F1 ${f(challengerF1)} ≥ ${f(minF1)}; no champion yet` };
  }
  if (champion.rows < minComparisonRows) {
    return {
      decision: 'reject',
      reason:
        `cannot compare with champion v${champion.version}: only ${champion.rows} held-out rows it never ` +
        `trained on (${champion.excludedRows} it trained on left out), fewer than the minimum ${minComparisonRows}`,
    };
  }
  const drop = classDropViolation(guardrails, champion);
  if (drop) return { decision: 'reject', reason: drop.reason };
  const better = champion.challengerF1 > champion.f1 && champion.midP < significanceLevel;
  return better
    ? {
        decision: 'promote',
        reason: `weighted F1 ${f(challengerF1)} ≥ ${f(minF1)} and beats the champion: ${comparisonText(champion)} < ${significanceLevel}`,
      }
    : {
        decision: 'reject',
        reason: `does not beat the champion significantly: ${comparisonText(champion)}, not both a higher F1 and mid-p < ${significanceLevel}`,
      };
}
