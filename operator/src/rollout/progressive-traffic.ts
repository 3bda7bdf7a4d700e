import { progressiveRolloutDefaults, stepDurationPattern } from '@prodclass/api';
import type { ModelPromotion, PredictionService, PredictionServiceSpec } from '../resources/types.js';
import { selectorOf, stepDurationMs } from '../resources/validate.js';

/**
 * Whether a promotion's Progressive rollout is running: it has a step in status and has neither
 * ended (Succeeded, Failed) nor been refused. Its step then sets the candidate traffic of the
 * services that follow its model and alias.
 */
export function rolloutActive(promotion: ModelPromotion): boolean {
  const { phase, rollout } = promotion.status ?? {};
  return (
    promotion.spec.strategy === 'Progressive' &&
    rollout !== undefined &&
    (phase === 'Progressing' || phase === 'AwaitingApproval')
  );
}

/** Whether two promotions move the same alias of the same model. */
export const sameAlias = (a: ModelPromotion['spec'], b: { registeredModel: string; alias: string }) =>
  a.registeredModel === b.registeredModel && a.alias === b.alias;

/**
 * The running rollout of the namespace that moves this alias: the one that started first when
 * (against the operator's own rule, which starts one at a time) there are several.
 */
export function activeRolloutOf(
  promotions: ModelPromotion[],
  target: { registeredModel: string; alias: string },
): ModelPromotion | undefined {
  return promotions
    .filter((promotion) => rolloutActive(promotion) && sameAlias(promotion.spec, target))
    .sort((a, b) =>
      (a.status?.rollout?.startedAt ?? '').localeCompare(b.status?.rollout?.startedAt ?? ''),
    )[0];
}

/** The traffic a rollout's step gives a service: its spec.traffic, and the candidate's injected delay. */
export interface DrivenTraffic {
  traffic: NonNullable<PredictionServiceSpec['traffic']>;
  candidateDelayMs: number;
  rollout: NonNullable<NonNullable<PredictionService['status']>['rollout']>;
}

/**
 * The traffic a PredictionService takes from the running rollout of its namespace, when its primary
 * follows the rollout's alias and it sets neither spec.traffic nor spec.canary (those are the
 * owner's explicit choice and win); undefined otherwise.
 */
export function drivenTraffic(
  spec: PredictionServiceSpec,
  promotions: ModelPromotion[],
): DrivenTraffic | undefined {
  const selector = selectorOf(spec);
  if (spec.traffic || spec.canary || !('alias' in selector)) return undefined;
  const promotion = activeRolloutOf(promotions, {
    registeredModel: spec.registeredModel,
    alias: selector.alias,
  });
  const rollout = promotion?.status?.rollout;
  if (!promotion || !rollout) return undefined;
  const { step } = rollout;
  // The promotion's own reconcile fails it when this is malformed (a hand-edited CRD); no delay then.
  const delay =
    promotion.spec.progressive?.faultInjection?.candidateDelay ?? progressiveRolloutDefaults.candidateDelay;
  const candidateDelayMs = new RegExp(stepDurationPattern).test(delay)
    ? stepDurationMs(delay, 'spec.progressive.faultInjection.candidateDelay')
    : 0;
  return {
    traffic: {
      candidate: { version: promotion.spec.version },
      canaryWeight: step.canaryWeight,
      shadowPercent: step.shadowPercent,
    },
    candidateDelayMs,
    rollout: {
      modelPromotion: promotion.metadata.name,
      step: step.name,
      candidateVersion: rollout.candidateVersion,
      canaryWeight: step.canaryWeight,
      shadowPercent: step.shadowPercent,
    },
  };
}
