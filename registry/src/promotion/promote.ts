import type pg from 'pg';
import { promotionTags } from '../contract/mlflow-tags.js';
import type { MlflowClient, RegisteredModelVersion } from '../mlflow/client.js';
import { insertPromotion, promotionHistory, type RecordedDecision } from './promotions-table.js';
import type { PromotionDecision, PromotionScores } from './rule.js';

export interface PromotionServices {
  mlflow: MlflowClient;
  db: pg.Client;
}

/** A promotion that must not happen: the message says why, for a person. */
export class PromotionRefused extends Error {
  constructor(
    message: string,
    readonly reason: 'VersionNotFound' | 'VersionRejected' | 'VersionNotReady' | 'NothingToRollBackTo',
  ) {
    super(message);
    this.name = 'PromotionRefused';
  }
}

export interface PromotionRequest {
  registeredModel: string;
  version: number;
  alias: string;
  reason: string;
  requestedBy: string;
  /** Also move the version to this legacy registry stage (servers that still use stages). */
  stage?: string;
}

export interface PromotionResult {
  registeredModel: string;
  alias: string;
  version: number;
  /** The version the alias pointed at before; undefined when it pointed at none. */
  previousVersion?: number;
  /** True when the alias already pointed at the version: nothing was changed or recorded. */
  unchanged: boolean;
}

async function readyVersion(
  mlflow: MlflowClient,
  registeredModel: string,
  version: number,
): Promise<RegisteredModelVersion> {
  const found = await mlflow.findModelVersion(registeredModel, String(version));
  if (!found) throw new PromotionRefused(`${registeredModel} has no version ${version}`, 'VersionNotFound');
  if (found.status !== 'READY')
    throw new PromotionRefused(
      `${registeredModel} version ${version} is ${found.status}, not READY`,
      'VersionNotReady',
    );
  if (found.tags[promotionTags.decision] === 'reject') {
    throw new PromotionRefused(
      `${registeredModel} version ${version} was rejected (${found.tags[promotionTags.reason] ?? 'no reason recorded'}) and cannot be promoted`,
      'VersionRejected',
    );
  }
  return found;
}

/**
 * Points `alias` at a version and records why, in the promotions table and on the version's
 * tags. The table row and the alias move together: the row is committed only once the alias
 * moved. Idempotent: promoting the version the alias already points at changes nothing.
 */
export async function promoteVersion(
  { mlflow, db }: PromotionServices,
  request: PromotionRequest,
  decision: RecordedDecision = 'promoted',
  scores?: PromotionScores,
): Promise<PromotionResult> {
  const { registeredModel, alias, version } = request;
  await readyVersion(mlflow, registeredModel, version);
  const current = await mlflow.findModelVersionByAlias(registeredModel, alias);
  const previousVersion = current ? Number(current.version) : undefined;
  const result = { registeredModel, alias, version, previousVersion };
  if (previousVersion === version) return { ...result, unchanged: true };

  await db.query('begin');
  try {
    await insertPromotion(db, {
      registered_model: registeredModel,
      alias,
      version,
      decision,
      reason: request.reason,
      challenger_f1: scores?.challengerF1 ?? null,
      champion_version: scores?.champion?.version ?? null,
      champion_f1: scores?.champion?.f1 ?? null,
      previous_version: previousVersion ?? null,
      requested_by: request.requestedBy,
    });
    await mlflow.setAlias(registeredModel, alias, String(version));
    await db.query('commit');
  } catch (error) {
    await db.query('rollback').catch(() => {});
    throw error;
  }
  await mlflow.setModelVersionTag(
    registeredModel,
    String(version),
    promotionTags.promotedAt,
    new Date().toISOString(),
  );
  if (request.stage) await mlflow.transitionStage(registeredModel, String(version), request.stage);
  return { ...result, unchanged: false };
}

/**
 * Records the automatic rule's verdict on the version's tags; a rejection is also a row of the
 * promotions table (a promotion is recorded when the alias actually moves).
 */
export async function recordDecision(
  { mlflow, db }: PromotionServices,
  request: Omit<PromotionRequest, 'reason' | 'stage'>,
  verdict: PromotionDecision,
  scores: PromotionScores,
): Promise<void> {
  const tags: Record<string, string> = {
    [promotionTags.decision]: verdict.decision,
    [promotionTags.reason]: verdict.reason,
    [promotionTags.alias]: request.alias,
    [promotionTags.minF1]: String(scores.minF1),
    [promotionTags.challengerF1]: String(scores.challengerF1),
    ...(scores.champion
      ? {
          [promotionTags.championVersion]: String(scores.champion.version),
          [promotionTags.championF1]: String(scores.champion.f1),
          [promotionTags.minComparisonRows]: String(scores.minComparisonRows),
          [promotionTags.comparisonRows]: String(scores.champion.rows),
          [promotionTags.championTrainingRowsExcluded]: String(scores.champion.excludedRows),
          [promotionTags.challengerComparisonF1]: String(scores.champion.challengerF1),
          [promotionTags.challengerOnlyCorrect]: String(scores.champion.challengerOnly),
          [promotionTags.championOnlyCorrect]: String(scores.champion.championOnly),
          [promotionTags.mcnemarMidP]: String(scores.champion.midP),
        }
      : {}),
  };
  for (const [key, value] of Object.entries(tags)) {
    await mlflow.setModelVersionTag(request.registeredModel, String(request.version), key, value);
  }
  if (verdict.decision === 'reject') {
    await insertPromotion(db, {
      registered_model: request.registeredModel,
      alias: request.alias,
      version: request.version,
      decision: 'rejected',
      reason: verdict.reason,
      challenger_f1: scores.challengerF1,
      champion_version: scores.champion?.version ?? null,
      champion_f1: scores.champion?.f1 ?? null,
      previous_version: null,
      requested_by: request.requestedBy,
    });
  }
}

/**
 * Moves the alias back to the version it pointed at before the current version was promoted:
 * promote v1, v2, v3, then two rollbacks give v2, then v1. A rejected version is never a target.
 */
export async function rollback(
  services: PromotionServices,
  request: Omit<PromotionRequest, 'version'>,
): Promise<PromotionResult> {
  const { registeredModel, alias } = request;
  const current = await services.mlflow.findModelVersionByAlias(registeredModel, alias);
  if (!current) {
    throw new PromotionRefused(`${registeredModel}@${alias} points at no version`, 'NothingToRollBackTo');
  }
  const history = await promotionHistory(services.db, registeredModel, alias);
  const promotionOfCurrent = history.findLast(
    (row) => row.decision === 'promoted' && row.version === Number(current.version),
  );
  const target = promotionOfCurrent?.previous_version;
  if (target === null || target === undefined) {
    throw new PromotionRefused(
      `${registeredModel}@${alias} is at version ${current.version} and no earlier promoted version is recorded to roll back to`,
      'NothingToRollBackTo',
    );
  }
  return promoteVersion(
    services,
    { ...request, version: target, reason: request.reason || `rollback from version ${current.version}` },
    'rolled_back',
  );
}
