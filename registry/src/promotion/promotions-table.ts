import type pg from 'pg';

export type RecordedDecision = 'promoted' | 'rejected' | 'rolled_back';

/** One row of the promotions table (see catalog/migrations/003_promotions.sql). */
export interface PromotionRecord {
  registered_model: string;
  alias: string;
  version: number;
  decision: RecordedDecision;
  reason: string;
  challenger_f1: number | null;
  champion_version: number | null;
  champion_f1: number | null;
  previous_version: number | null;
  requested_by: string;
}

export interface StoredPromotion extends PromotionRecord {
  id: number;
  decided_at: string;
}

export async function insertPromotion(client: pg.Client, record: PromotionRecord): Promise<void> {
  await client.query(
    `insert into promotions (registered_model, alias, version, decision, reason, challenger_f1,
       champion_version, champion_f1, previous_version, requested_by)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [
      record.registered_model,
      record.alias,
      record.version,
      record.decision,
      record.reason,
      record.challenger_f1,
      record.champion_version,
      record.champion_f1,
      record.previous_version,
      record.requested_by,
    ],
  );
}

/** Every decision about an alias of a registered model, oldest first. */
export async function promotionHistory(
  client: pg.Client,
  registeredModel: string,
  alias: string,
): Promise<StoredPromotion[]> {
  const { rows } = await client.query<
    Omit<StoredPromotion, 'id' | 'decided_at'> & { id: string; decided_at: Date }
  >(`select * from promotions where registered_model = $1 and alias = $2 order by id`, [
    registeredModel,
    alias,
  ]);
  return rows.map((row) => ({ ...row, id: Number(row.id), decided_at: row.decided_at.toISOString() }));
}
