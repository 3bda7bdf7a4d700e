/**
 * How much the champion's re-score is inflated by its own training rows, before and after the
 * product-id split (issue 26). The demo's loop, in memory: the synthetic catalog (84,916 rows,
 * seed 42), loads of 40% then +3% four times taken from the load's seeded permutation (seed 42)
 * and read back in productid order as a snapshot is, v1 fitted with the seed's hyperparameters
 * on its training part; then, on each later snapshot's held-out part:
 *   - re-score: v1's weighted F1 on the whole held-out part (what the rule used before);
 *   - unseen: v1's weighted F1 on the rows of it v1 never trained on (what the rule uses now);
 *   - bias = re-score − unseen.
 * "positional" is the old split (stratified shuffle of row positions, seed 42), "productid_hash"
 * the new one (keyed hash of the product id, key "prodclass"). Both at test size 0.2.
 * Each load's challenger is fitted too and judged against v1 as the rule did then (positional:
 * its held-out F1 against v1's re-score) and does now (productid_hash: both on the rows v1 never
 * trained on, McNemar mid-p < 0.05, at least 200 rows): the decision column.
 *
 *   npm run build && npx tsx bench/split/champion-bias.ts
 */
import { loadavg } from 'node:os';
import { generateSyntheticCatalog } from '@prodclass/catalog/synthetic/generator';
import { decidePromotion } from '@prodclass/registry/promotion/rule';
import { defaultTfidfSettings } from '@prodclass/textmodel/features/tfidf-vectorizer';
import { classificationMetrics } from '@prodclass/textmodel/metrics/classification-metrics';
import { mcnemarMidP, pairedDisagreements } from '@prodclass/textmodel/metrics/mcnemar';
import { defaultLogisticRegressionSettings } from '@prodclass/textmodel/model/logistic-regression';
import { TextClassifier } from '@prodclass/textmodel/model/text-classifier';
import { seededPermutation } from '@prodclass/textmodel/sampling/permutation';
import { productIdSplit } from '@prodclass/textmodel/sampling/productid-split';
import { type SplitIndices, stratifiedSplit } from '@prodclass/textmodel/sampling/stratified-split';
import { defaultTextSettings } from '@prodclass/textmodel/text/product-text';

type Row = { productid: number; prdtypecode: number; designation: string; description: string | null };

const catalogRows = 84_916;
const testSize = 0.2;
const rows: Row[] = [...generateSyntheticCatalog({ rows: catalogRows, seed: 42 })];
const permutation = seededPermutation(rows.length, 42);

/** The snapshot after loading `percent`: the permutation's first rows, in productid order. */
function snapshot(percent: number): Row[] {
  return Array.from(
    permutation.subarray(0, Math.floor((rows.length * percent) / 100)),
    (i) => rows[i] as Row,
  ).sort((a, b) => a.productid - b.productid);
}

const methods: Record<string, (snapshotRows: Row[]) => SplitIndices> = {
  positional: (snapshotRows) =>
    stratifiedSplit(
      Int32Array.from(snapshotRows, (row) => row.prdtypecode),
      testSize,
      42,
    ),
  productid_hash: (snapshotRows) => productIdSplit(snapshotRows, testSize, 'prodclass'),
};

const fitModel = async (train: Row[]) =>
  (
    await TextClassifier.fit(train, {
      text: defaultTextSettings,
      tfidf: defaultTfidfSettings,
      logisticRegression: defaultLogisticRegressionSettings,
      seed: 42,
    })
  ).classifier;
const f1 = (model: TextClassifier, scored: Row[]) =>
  classificationMetrics(
    scored.map((row) => row.prdtypecode),
    model.predict(scored),
  ).f1_weighted;
const pick = (snapshotRows: Row[], indices: number[]) => indices.map((i) => snapshotRows[i] as Row);

console.log(`load average before: ${loadavg()[0]?.toFixed(1)}`);
const v1Rows = snapshot(40);
for (const [method, split] of Object.entries(methods)) {
  const v1 = split(v1Rows);
  const train = pick(v1Rows, v1.train);
  const classifier = await fitModel(train);
  const trained = new Set(train.map((row) => row.productid));
  console.log(
    `\n${method}: v1 on its own held-out part: ${f1(classifier, pick(v1Rows, v1.test)).toFixed(4)}`,
  );
  console.log(
    '| load | held-out rows | of them v1 trained on | re-score | unseen | bias | challenger F1 | decision |',
  );
  console.log('|---|---|---|---|---|---|---|---|');
  const biases: number[] = [];
  for (const percent of [43, 46, 49, 52]) {
    const snapshotRows = snapshot(percent);
    const parts = split(snapshotRows);
    const held = pick(snapshotRows, parts.test);
    const challenger = await fitModel(pick(snapshotRows, parts.train));
    const challengerF1 = f1(challenger, held);
    const unseen = held.filter((row) => !trained.has(row.productid));
    const rescore = f1(classifier, held);
    const unseenF1 = f1(classifier, unseen);
    biases.push(rescore - unseenF1);
    const labels = unseen.map((row) => row.prdtypecode);
    const disagreements = pairedDisagreements(labels, challenger.predict(unseen), classifier.predict(unseen));
    const decision =
      method === 'positional'
        ? challengerF1 > rescore
          ? 'promote'
          : 'reject'
        : decidePromotion({
            challengerF1,
            minF1: 0.7,
            minComparisonRows: 200,
            // This bench is about the split; the per-class guardrails are left out of the verdict.
            guardrails: { maxClassDrop: 1, criticalClasses: {} },
            challengerPerClass: {},
            champion: {
              perClass: {},
              challengerPerClass: {},
              version: 1,
              f1: unseenF1,
              challengerF1: f1(challenger, unseen),
              rows: unseen.length,
              excludedRows: held.length - unseen.length,
              ...disagreements,
              midP: mcnemarMidP(disagreements),
            },
          }).reason;
    console.log(
      `| ${percent}% | ${held.length} | ${held.length - unseen.length} | ${rescore.toFixed(4)} | ${unseenF1.toFixed(4)} | ${(rescore - unseenF1).toFixed(4)} | ${challengerF1.toFixed(4)} | ${decision} |`,
    );
  }
  const sorted = [...biases].sort((a, b) => a - b);
  console.log(`median bias: ${(((sorted[1] as number) + (sorted[2] as number)) / 2).toFixed(4)}`);
}
