import { createHash } from 'node:crypto';
import type { FeedbackSource } from '@prodclass/catalog/feedback/feedback-store';
import type { DatasetRow } from '@prodclass/catalog/fingerprint';
import type { SplitSpec } from '@prodclass/registry/contract/split';
import { productHashPosition } from '@prodclass/textmodel/sampling/productid-split';
import type { LabelledProduct } from '@prodclass/textmodel/text/product-text';
import type pg from 'pg';

/** Which labeled served predictions a run adds to its training rows. */
export interface FeedbackRequest {
  /** Predictions served at or after this time. */
  since: Date;
  /** Only labels from these sources; every source when empty. */
  sources: readonly FeedbackSource[];
}

/** One labeled served prediction: the text the model server logged, the code its label gives. */
export interface FeedbackRow {
  predictionId: string;
  productid: number | null;
  prdtypecode: number;
  designation: string;
  description: string | null;
  /** The label's time, to the microsecond as PostgreSQL keeps it: which label of the prediction this is. */
  labeledAt: string;
}

/** The MLflow artifact holding the exact feedback rows a run trained on, one JSON line each. */
export const feedbackSetArtifact = 'data/feedback_set.jsonl';

/**
 * The current label of each prediction served since the time, with the (truncated) texts its log
 * row kept. One row per product: the latest label wins (ties by prediction id); predictions that
 * named no product are one row each. Ascending productid, then prediction id for those without.
 */
const labeledServedRows = `
  select distinct on (log.productid, case when log.productid is null then label.prediction_id end)
    label.prediction_id, log.productid, label.prdtypecode, log.designation, log.description,
    to_char(label.labeled_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as labeled_at
  from prediction_feedback label
  join inference_log log
    on log.prediction_id = label.prediction_id and log.predicted_at = label.predicted_at
  where label.predicted_at >= $1 and (cardinality($2::text[]) = 0 or label.source = any($2::text[]))
  order by log.productid, case when log.productid is null then label.prediction_id end,
    label.labeled_at desc, label.prediction_id desc`;

export async function readFeedbackRows(db: pg.Client, request: FeedbackRequest): Promise<FeedbackRow[]> {
  const { rows } = await db.query<{
    prediction_id: string;
    productid: string | null;
    prdtypecode: number;
    designation: string;
    description: string | null;
    labeled_at: string;
  }>(labeledServedRows, [request.since, request.sources]);
  return rows.map((row) => ({
    predictionId: row.prediction_id,
    productid: row.productid === null ? null : Number(row.productid),
    prdtypecode: row.prdtypecode,
    designation: row.designation,
    description: row.description,
    labeledAt: row.labeled_at,
  }));
}

/**
 * Drops the feedback rows of held-out products, so the test set stays what the champion was
 * scored on and no test product is trained on: a product the snapshot holds out, or one the
 * snapshot lacks whose hash places it on the held-out side. Rows without a product id are kept.
 */
export function withoutHeldOutProducts(
  rows: readonly FeedbackRow[],
  catalog: { rows: readonly DatasetRow[]; test: readonly DatasetRow[] },
  split: Extract<SplitSpec, { key: string }>,
): { kept: FeedbackRow[]; heldOut: number } {
  const heldOutProducts = new Set(catalog.test.map((row) => row.productid));
  const catalogProducts = new Set(catalog.rows.map((row) => row.productid));
  const kept = rows.filter(
    ({ productid }) =>
      productid === null ||
      !(
        heldOutProducts.has(productid) ||
        (!catalogProducts.has(productid) && productHashPosition(productid, split.key) < split.testSize)
      ),
  );
  return { kept, heldOut: rows.length - kept.length };
}

/** The feedback set's JSON lines: the artifact's bytes, whose SHA-256 is the set's fingerprint. */
export function feedbackSetLines(rows: readonly FeedbackRow[]): string {
  return rows
    .map(
      (row) =>
        `${JSON.stringify([row.predictionId, row.productid, row.prdtypecode, row.designation, row.description, row.labeledAt])}\n`,
    )
    .join('');
}

export function feedbackFingerprint(lines: string): string {
  return createHash('sha256').update(lines).digest('hex');
}

/** The rows of a feedback set artifact, in its order. */
export function parseFeedbackSet(lines: string, origin: string): FeedbackRow[] {
  return lines
    .split('\n')
    .filter((line) => line !== '')
    .map((line, index) => {
      const fields = JSON.parse(line) as unknown;
      if (!Array.isArray(fields) || fields.length !== 6)
        throw new Error(`${origin}: line ${index + 1} is not a feedback row`);
      const [predictionId, productid, prdtypecode, designation, description, labeledAt] = fields;
      return { predictionId, productid, prdtypecode, designation, description, labeledAt } as FeedbackRow;
    });
}

export const labelledFeedback = (rows: readonly FeedbackRow[]): LabelledProduct[] =>
  rows.map(({ prdtypecode, designation, description }) => ({ prdtypecode, designation, description }));
