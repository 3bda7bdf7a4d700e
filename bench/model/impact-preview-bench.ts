/**
 * What the catalog impact preview (`prodclass model impact`, docs/training.md) costs against its
 * anchor, one prediction pass: on the local stack's PostgreSQL, the synthetic catalog at full size
 * (84,916 products) is loaded into a fresh database; two default models are fitted in memory on its
 * two halves (by position), so that they disagree as a real champion and candidate would. Then, 5
 * times each, alternating:
 *   pass    — one model predicts the whole catalog, already in memory;
 *   preview — scoreCatalogImpact: the snapshot read from PostgreSQL batch by batch, both models
 *             predict each batch, the flips tallied (what the command does after downloading the
 *             two bundles from MLflow, which is left out).
 * Prints JSON with each run's seconds, the medians and their ratio.
 * Usage: npm run build && npx tsx bench/model/impact-preview-bench.ts  (brings the local stack up)
 */
import { randomBytes } from 'node:crypto';
import { latestCompletedLoad } from '@prodclass/catalog/data-loads';
import { loadCatalog } from '@prodclass/catalog/load';
import { migrate } from '@prodclass/catalog/migrate';
import { syntheticSource } from '@prodclass/catalog/source';
import { defaultTfidfSettings } from '@prodclass/textmodel/features/tfidf-vectorizer';
import { defaultLogisticRegressionSettings } from '@prodclass/textmodel/model/logistic-regression';
import { TextClassifier } from '@prodclass/textmodel/model/text-classifier';
import { defaultTextSettings } from '@prodclass/textmodel/text/product-text';
import pg from 'pg';
import { up } from '../../stack/stack.js';
import { scoreCatalogImpact } from '../../trainer-job/src/impact/catalog-impact.js';

const rows = 84_916;
const repetitions = 5;
const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

const adminUrl = (await up()).env.DATABASE_URL;
const database = `prodclass_bench_${randomBytes(6).toString('hex')}`;
const admin = new pg.Client({ connectionString: adminUrl });
await admin.connect();
await admin.query(`create database ${database}`);
const url = new URL(adminUrl);
url.pathname = `/${database}`;
const client = new pg.Client({ connectionString: url.toString() });
try {
  await client.connect();
  await migrate(client);
  const source = syntheticSource(rows, 42);
  await loadCatalog(client, { source, target: { toPercent: 100 }, seed: 42 });
  const load = await latestCompletedLoad(client);

  const settings = {
    text: defaultTextSettings,
    tfidf: defaultTfidfSettings,
    logisticRegression: defaultLogisticRegressionSettings,
    seed: 42,
  };
  const half = Math.floor(source.rows.length / 2);
  const champion = (await TextClassifier.fit(source.rows.slice(0, half), settings)).classifier;
  const candidate = (await TextClassifier.fit(source.rows.slice(half), settings)).classifier;

  const pass: number[] = [];
  const preview: number[] = [];
  let summary: Awaited<ReturnType<typeof scoreCatalogImpact>> | undefined;
  for (let run = 0; run < repetitions; run++) {
    let started = performance.now();
    champion.predict(source.rows);
    pass.push((performance.now() - started) / 1000);
    started = performance.now();
    summary = await scoreCatalogImpact(client, load, { champion, candidate });
    preview.push((performance.now() - started) / 1000);
  }
  process.stdout.write(
    `${JSON.stringify(
      {
        products: summary?.products,
        changed_share: summary?.changedShare,
        largest_flip: summary?.flips[0],
        pass_seconds: pass,
        preview_seconds: preview,
        median_pass_seconds: median(pass),
        median_preview_seconds: median(preview),
        preview_over_pass: median(preview) / median(pass),
      },
      null,
      2,
    )}\n`,
  );
} finally {
  await client.end().catch(() => {});
  await admin.query(`drop database if exists ${database} with (force)`);
  await admin.end();
}
