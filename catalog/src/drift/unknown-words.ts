import type pg from 'pg';

/**
 * The words of the current window's logged texts that the reference window never used, most
 * frequent first: what the out-of-vocabulary share is likely made of when it moves. The drift check
 * has no vocabulary of the served model, so "unknown" means absent from the reference window's
 * texts (docs/drift.md).
 */

export interface GrownWord {
  word: string;
  /** Occurrences in the current window's texts read (the reference had none). */
  count: number;
}

export interface UnknownWordLimits {
  /** The most recent texts of each window that are read. */
  textsPerWindow: number;
  /** The statement's timeout; past it the words are not reported. */
  timeoutMs: number;
  words: number;
}

export const defaultUnknownWordLimits: UnknownWordLimits = {
  textsPerWindow: 50_000,
  timeoutMs: 5_000,
  words: 20,
};

export interface WordWindows {
  modelName: string;
  modelVersion: string | null;
  current: { from: Date; to: Date };
  reference: { from: Date; to: Date };
}

export type UnknownWordsResult = { words: GrownWord[] } | { skipped: string };

// Words as the model's token pattern ([\p{L}\p{N}_]{2,}) sees them, roughly, before the cleaner's
// other steps: lower-cased runs of two or more letters, digits or underscores. The ICU collation
// makes lower() and [:alnum:] know every script whatever the database's locale (in the C locale
// "Été" would split into "t").
function texts(window: 'current' | 'reference', from: string, to: string): string {
  return `${window}_words as (
    select word, count(*) as occurrences
    from (
      select designation, description from inference_log
      where model_name = $1 and ($2::text is null or model_version = $2) and shadow_of is null
        and predicted_at >= ${from} and predicted_at < ${to}
      order by predicted_at desc limit $7
    ) texts,
      regexp_split_to_table(
        lower((texts.designation || ' ' || coalesce(texts.description, '')) collate "und-x-icu"), '[^[:alnum:]_]+'
      ) word
    where length(word) >= 2
    group by word
  )`;
}

const queryCanceled = '57014';

export async function grownUnknownWords(
  pool: pg.Pool,
  windows: WordWindows,
  limits: UnknownWordLimits = defaultUnknownWordLimits,
): Promise<UnknownWordsResult> {
  const client = await pool.connect();
  try {
    await client.query('begin read only');
    await client.query('set local max_parallel_workers_per_gather = 0');
    // SET does not take parameters; the timeout is an integer of ours, not user text.
    await client.query(`set local statement_timeout = ${Math.max(1, Math.round(limits.timeoutMs))}`);
    const { rows } = await client.query<GrownWord>(
      `with ${texts('current', '$3', '$4')}, ${texts('reference', '$5', '$6')}
      select word, occurrences::integer as count from current_words
      where not exists (select from reference_words where reference_words.word = current_words.word)
      order by occurrences desc, word limit $8`,
      [
        windows.modelName,
        windows.modelVersion,
        windows.current.from,
        windows.current.to,
        windows.reference.from,
        windows.reference.to,
        limits.textsPerWindow,
        limits.words,
      ],
    );
    await client.query('commit');
    return { words: rows };
  } catch (error) {
    await client.query('rollback').catch(() => {});
    if ((error as { code?: string }).code === queryCanceled)
      return { skipped: `counting the words took longer than ${limits.timeoutMs} ms` };
    throw error;
  } finally {
    client.release();
  }
}
