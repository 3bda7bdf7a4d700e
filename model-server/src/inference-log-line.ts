import { copyValue } from '@prodclass/catalog/copy-text';
import type { InferenceRecord } from './inference-log.js';

/**
 * The first `limit` UTF-16 units of `text`, not ending in half a surrogate pair. PostgreSQL
 * refuses NUL in text (a JSON body can escape one), so it becomes U+FFFD, as an unpaired
 * surrogate does when encoded to UTF-8.
 */
export function truncateForLog(text: string, limit: number): string {
  let end = Math.min(text.length, limit);
  const last = text.charCodeAt(end - 1);
  if (end < text.length && last >= 0xd800 && last <= 0xdbff) end--;
  const kept = end === text.length ? text : text.slice(0, end);
  return kept.includes('\0') ? kept.replaceAll('\0', '\uFFFD') : kept;
}

export const inferenceLogColumns =
  'prediction_id, predicted_at, model_name, model_version, prdtypecode, confidence, text_length, designation, description, token_count, unknown_token_count, productid, model_ms, shadow_of';

/** One record as a line of `COPY inference_log (inferenceLogColumns) FROM STDIN`, texts already truncated. */
export function inferenceLogLine(record: InferenceRecord): string {
  return `${record.predictionId}\t${record.predictedAt.toISOString()}\t${copyValue(record.modelName)}\t${copyValue(record.modelVersion)}\t${record.prdtypecode}\t${record.confidence}\t${record.textLength}\t${copyValue(record.designation)}\t${copyValue(record.description)}\t${record.tokenCount ?? '\\N'}\t${record.unknownTokenCount ?? '\\N'}\t${record.productid ?? '\\N'}\t${record.modelMs ?? '\\N'}\t${record.shadowOf ?? '\\N'}\n`;
}
