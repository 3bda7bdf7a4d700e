import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadLabelsFile } from '@prodclass/catalog/feedback/labels-file';
import { productClasses } from '@prodclass/textmodel/classes';
import type pg from 'pg';

export interface LoggedPredictions {
  model: string;
  version: string;
  /** Spread evenly over [from, to). */
  from: Date;
  to: Date;
  count: number;
}

/** The code the i-th logged prediction (from 0) was predicted: ten classes in turn. */
const predicted = (index: number) => (productClasses[index % 10] as { code: number }).code;

/** Logs `count` predictions of ten classes into inference_log; returns their ids. */
export async function logPredictions(client: pg.ClientBase, logged: LoggedPredictions): Promise<string[]> {
  const ids = Array.from({ length: logged.count }, () => randomUUID());
  await client.query(
    `insert into inference_log (prediction_id, predicted_at, model_name, model_version, prdtypecode, confidence,
       text_length, designation)
     select id, $2::timestamptz + ((i - 1) * ($3::timestamptz - $2::timestamptz) / $5), $4, $6, code, 0.5, 40,
       'synthetic'
     from unnest($1::uuid[], $7::integer[]) with ordinality as p(id, code, i)`,
    [
      ids,
      logged.from,
      logged.to,
      logged.model,
      logged.count,
      logged.version,
      ids.map((_, index) => predicted(index)),
    ],
  );
  return ids;
}

/**
 * Labels the first `right + wrong` of `ids` through the feedback store as `prodclass feedback load`
 * does (a labels file, source cli): the first `right` with the code they were predicted, the next
 * `wrong` with another.
 */
export async function labelPredictions(
  client: pg.Client,
  ids: string[],
  right: number,
  wrong: number,
): Promise<void> {
  const lines = ids
    .slice(0, right + wrong)
    .map((id, index) => `${id},${index < right ? predicted(index) : predicted(index + 1)}`);
  const directory = await fs.mkdtemp(path.join(os.tmpdir(), 'prodclass-labels-'));
  const file = path.join(directory, 'labels.csv');
  await fs.writeFile(file, `prediction_id,prdtypecode\n${lines.join('\n')}\n`);
  try {
    await loadLabelsFile(client, file, 'operator-test');
  } finally {
    await fs.rm(directory, { recursive: true, force: true });
  }
}
