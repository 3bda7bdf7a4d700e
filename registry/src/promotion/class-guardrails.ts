/**
 * What a candidate must not lose class by class, besides beating the champion overall: no class's
 * F1 or recall may drop by more than `maxClassDrop` against the champion on the shared rows, and
 * each critical class (code → floor) must keep its F1 and recall on the candidate's whole
 * held-out split at or above its floor.
 */
export interface ClassGuardrails {
  maxClassDrop: number;
  criticalClasses: Readonly<Record<string, number>>;
}

/**
 * A class with fewer shared rows than this is not judged for a drop: on 10 rows one product
 * more or less moves recall by 0.1.
 */
export const minClassRowsForDrop = 20;

/** Per-class scores: the class code (as a string, like `per_class` keys) → scores. */
export type PerClassScores = Readonly<Record<string, { f1: number; recall: number; support: number }>>;

export interface ClassGuardrailViolation {
  reason: string;
}

const f = (score: number) => score.toFixed(4);
const measures = ['f1', 'recall'] as const;

/** The first critical class under its floor, on the candidate's own held-out split. */
export function criticalClassViolation(
  guardrails: ClassGuardrails,
  candidate: PerClassScores,
): ClassGuardrailViolation | undefined {
  for (const [code, floor] of Object.entries(guardrails.criticalClasses)) {
    const scores = candidate[code];
    if (!scores || scores.support === 0) {
      return {
        reason: `critical class ${code} has no held-out products: its floor ${f(floor)} cannot be checked`,
      };
    }
    for (const measure of measures) {
      if (scores[measure] < floor) {
        return {
          reason: `critical class ${code}: ${measure} ${f(scores[measure])} is below its floor ${f(floor)} (${scores.support} held-out products)`,
        };
      }
    }
  }
  return undefined;
}

/**
 * The class whose F1 or recall dropped most beyond the margin against the champion on the shared
 * rows, among classes with at least `minClassRowsForDrop` of them.
 */
export function classDropViolation(
  guardrails: ClassGuardrails,
  champion: { version: number; perClass: PerClassScores; challengerPerClass: PerClassScores },
): ClassGuardrailViolation | undefined {
  let worst:
    | { code: string; measure: (typeof measures)[number]; before: number; after: number; rows: number }
    | undefined;
  for (const [code, before] of Object.entries(champion.perClass)) {
    if (before.support < minClassRowsForDrop) continue;
    const after = champion.challengerPerClass[code];
    if (!after) continue;
    for (const measure of measures) {
      const drop = before[measure] - after[measure];
      if (drop > guardrails.maxClassDrop && (!worst || drop > worst.before - worst.after)) {
        worst = { code, measure, before: before[measure], after: after[measure], rows: before.support };
      }
    }
  }
  return (
    worst && {
      reason:
        `class ${worst.code}: ${worst.measure} ${f(worst.after)} vs champion v${champion.version} ${f(worst.before)} ` +
        `on ${worst.rows} shared held-out products, a drop of ${f(worst.before - worst.after)} > the allowed ${f(guardrails.maxClassDrop)}`,
    }
  );
}
