/** metav1.Condition. */
export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration?: number;
}

export type ConditionUpdate = Pick<Condition, 'type' | 'status' | 'reason' | 'message'>;

export function timestamp(at = new Date()): string {
  return at.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * The conditions with `update` applied for `generation`. lastTransitionTime moves only when the
 * status changes, as Kubernetes tools expect.
 */
export function withCondition(
  conditions: Condition[] | undefined,
  update: ConditionUpdate,
  generation: number | undefined,
): Condition[] {
  const current = conditions?.find((condition) => condition.type === update.type);
  const next: Condition = {
    ...update,
    lastTransitionTime:
      current && current.status === update.status ? current.lastTransitionTime : timestamp(),
    observedGeneration: generation,
  };
  const all = conditions ?? [];
  return current
    ? all.map((condition) => (condition.type === update.type ? next : condition))
    : [...all, next];
}

export function withConditions(
  conditions: Condition[] | undefined,
  updates: ConditionUpdate[],
  generation: number | undefined,
): Condition[] {
  return updates.reduce((all, update) => withCondition(all, update, generation), conditions ?? []);
}

export function conditionOf(conditions: Condition[] | undefined, type: string): Condition | undefined {
  return conditions?.find((condition) => condition.type === type);
}
