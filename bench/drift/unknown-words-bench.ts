/**
 * Times the count of new words behind a moved OOV share (grownUnknownWords) at 20,000 and 50,000
 * texts a window, side by side with its anchor: the drift check of the same windows (the default
 * tests, which never read a text). 100,000 logged predictions, 50,000 a window, are generated in
 * SQL into a fresh bench database: a designation of 8 words and a description of 32 drawn from
 * 20,000, one current text in ten with one of 300 new words. Each repetition runs the three in
 * turn, so machine load hits them alike.
 *
 * Usage: npx tsx bench/drift/unknown-words-bench.ts  (brings the local stack up if it is not running)
 */
import { checkDrift } from '@prodclass/catalog/drift/check-drift';
import { defaultDriftTests, defaultSeverityThresholds } from '@prodclass/catalog/drift/report';
import { defaultUnknownWordLimits, grownUnknownWords } from '@prodclass/catalog/drift/unknown-words';
import { migrate } from '@prodclass/catalog/migrate';
import pg from 'pg';
import { up } from '../../stack/stack.js';

const repetitions = 5;
const second = 1000;
const now = new Date('2026-06-30T00:00:00Z');
const current = { from: new Date(now.getTime() - 50_000 * second), to: now };
const reference = {
  kind: 'window' as const,
  from: new Date(now.getTime() - 100_000 * second),
  to: current.from,
};
const modelName = 'rakuten_classifier';

const adminUrl = (await up()).env.DATABASE_URL;
const database = `prodclass_bench_words_${process.pid}`;

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  await client.query(sql);
  await client.end();
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return (performance.now() - started) / 1000;
}

await admin(`create database ${database}`);
const url = new URL(adminUrl);
url.pathname = `/${database}`;
try {
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  await migrate(client);
  await client.query(
    `insert into inference_log (prediction_id, predicted_at, model_name, model_version, prdtypecode, confidence,
      text_length, designation, description, token_count, unknown_token_count)
    select gen_random_uuid(), $1::timestamptz - make_interval(secs => i), $2, '3', 10, 0.9, 300,
      (select string_agg('mot' || (random() * 20000)::int, ' ') from generate_series(1, 8) where i > 0),
      (select string_agg('mot' || (random() * 20000)::int, ' ') from generate_series(1, 32) where i > 0)
        || case when i % 10 = 0 and i <= 50000 then ' nouveau' || (i % 300) else '' end,
      40, case when i % 10 = 0 and i <= 50000 then 10 else 1 end
    from generate_series(1, 100000) i`,
    [now, modelName],
  );
  await client.query('vacuum analyze inference_log');
  await client.end();

  const pool = new pg.Pool({ connectionString: url.toString(), max: 2 });
  const windows = { modelName, modelVersion: null, current, reference };
  const unlimited = { ...defaultUnknownWordLimits, timeoutMs: 600_000 };
  const runs = {
    check: [] as number[],
    words20k: [] as number[],
    words50k: [] as number[],
  };
  for (let run = 0; run <= repetitions; run++) {
    const check = await timed(() =>
      checkDrift(pool, {
        monitor: 'bench',
        modelName,
        current,
        reference,
        tests: defaultDriftTests.filter((test) => test.test !== 'oov_share'),
        thresholds: defaultSeverityThresholds,
        minSamples: 1000,
      }),
    );
    const words20k = await timed(() =>
      grownUnknownWords(pool, windows, { ...unlimited, textsPerWindow: 20_000 }),
    );
    const words50k = await timed(() =>
      grownUnknownWords(pool, windows, { ...unlimited, textsPerWindow: 50_000 }),
    );
    if (run === 0) continue; // warm-up
    runs.check.push(check);
    runs.words20k.push(words20k);
    runs.words50k.push(words50k);
  }
  await pool.end();
  const anchor = median(runs.check);
  for (const [name, seconds] of Object.entries(runs))
    console.log(
      `${name.padEnd(9)} median ${median(seconds).toFixed(3)} s (${Math.min(...seconds).toFixed(3)}–${Math.max(...seconds).toFixed(3)}), ${(median(seconds) / anchor).toFixed(2)}× the check`,
    );
} finally {
  await admin(`drop database if exists ${database}`);
}
