/**
 * What the shape of an explained answer costs to write, in process: real `explain: 5` answers
 * (a model fitted on the synthetic catalog, explained with TextClassifier.explainTopK as the
 * model server does) turned into each candidate shape and written with JSON.stringify, then
 * UTF-8 encoded, as the model server does; the plain answer through the route's schema
 * serializer as the anchor. Rounds interleave the shapes, their order rotating; per round and
 * shape the process's CPU time per answer (process.cpuUsage); medians over rounds. Each shape is
 * checked first: every code's intercept + listed contributions + other_terms = logit within 1e-9.
 *
 * Usage: npm run build && npx tsx bench/explain/shapes.ts
 */
import os from 'node:os';
import { generateSyntheticCatalog } from '@prodclass/catalog/synthetic/generator';
import { classByCode } from '@prodclass/textmodel/classes';
import { defaultTfidfSettings } from '@prodclass/textmodel/features/tfidf-vectorizer';
import { explanationRecord } from '@prodclass/textmodel/model/explanation-record';
import { defaultLogisticRegressionSettings } from '@prodclass/textmodel/model/logistic-regression';
import {
  type ClassExplanation,
  type ExplainedRanking,
  type ExplainedTerm,
  TextClassifier,
} from '@prodclass/textmodel/model/text-classifier';
import { defaultTextSettings } from '@prodclass/textmodel/text/product-text';
import fastJson from 'fast-json-stringify';
import { predictionSchema } from '../../model-server/src/schemas.js';

const catalogRows = 12_000;
const trainingRows = 8_000;
const seed = 42;
const answers = 2_000;
const rounds = 15;
const passes = 3;
const k = 5;

const category = (code: number) => classByCode(code)?.name ?? String(code);

/** An answer's `explanation` from the two codes' explanations. */
type Shape = (explanations: ClassExplanation[]) => unknown;

const current: Shape = (explanations) => explanations.map(explanationRecord);

/** A code's fields around its two lists, in the answer's order, each list written by `list`. */
const perCode = (list: (terms: ExplainedTerm[]) => unknown) => (e: ClassExplanation) => ({
  prdtypecode: e.classCode,
  category: category(e.classCode),
  logit: e.logit,
  intercept: e.intercept,
  up: list(e.up),
  down: list(e.down),
  other_terms: { count: e.otherTerms, contribution: e.otherContribution },
});

/** (b) For the word analyzer a listed term's feature is always its term cleaned (the feature itself when not found in the text): left out. */
const withoutFeature: Shape = (explanations) =>
  explanations.map(
    perCode((list) => list.map(({ term, tfidf, contribution }) => ({ term, tfidf, contribution }))),
  );

/** `feature` only where it is not the term as written (case, accents, dropped words). */
const featureWhenDifferent: Shape = (explanations) =>
  explanations.map(
    perCode((list) =>
      list.map(({ term, feature, tfidf, contribution }) =>
        term === feature ? { term, tfidf, contribution } : { term, feature, tfidf, contribution },
      ),
    ),
  );

/** The distinct listed terms once, and each code's lists as indices into them. */
function distinctTerms(explanations: ClassExplanation[]): {
  terms: ExplainedTerm[];
  indexOf: (t: ExplainedTerm) => number;
} {
  const terms: ExplainedTerm[] = [];
  const indexOf = (t: ExplainedTerm) => {
    for (let at = 0; at < terms.length; at++)
      if ((terms[at] as ExplainedTerm).feature === t.feature) return at;
    return terms.push(t) - 1;
  };
  for (const e of explanations) {
    for (const t of e.up) indexOf(t);
    for (const t of e.down) indexOf(t);
  }
  return { terms, indexOf };
}

/** The distinct terms once, each written by `row`, and each code's lists written by `list` (which may point into them). */
const termsOnce =
  (
    row: (t: ExplainedTerm) => unknown,
    list: (terms: ExplainedTerm[], indexOf: (t: ExplainedTerm) => number) => unknown,
  ): Shape =>
  (explanations) => {
    const { terms, indexOf } = distinctTerms(explanations);
    return {
      terms: terms.map(row),
      codes: explanations.map(perCode((listed) => list(listed, indexOf))),
    };
  };

const fullRow = ({ term, feature, tfidf }: ExplainedTerm) => ({ term, feature, tfidf });
const pairs = (listed: ExplainedTerm[], indexOf: (t: ExplainedTerm) => number) =>
  listed.map((t) => [indexOf(t), t.contribution]);

const termsOncePairs = termsOnce(fullRow, pairs);

const termsOnceParallel = termsOnce(fullRow, (listed, indexOf) => ({
  terms: listed.map(indexOf),
  contributions: listed.map((t) => t.contribution),
}));

const termsOnceObjects = termsOnce(fullRow, (listed, indexOf) =>
  listed.map((t) => ({ term: indexOf(t), contribution: t.contribution })),
);

/** Terms once without feature where it equals the term, pairs per code. */
const termsOncePairsFeatureWhenDifferent = termsOnce(
  ({ term, feature, tfidf }) => (term === feature ? { term, tfidf } : { term, feature, tfidf }),
  pairs,
);

/** Each code's lists with only term and contribution; tfidf and feature once in a table of the distinct terms. */
const termsTableNamedLists = termsOnce(fullRow, (listed) =>
  listed.map(({ term, contribution }) => ({ term, contribution })),
);

/** Each list as columns: {term: [...], feature: [...], tfidf: [...], contribution: [...]}. */
const columnar: Shape = (explanations) =>
  explanations.map(
    perCode((list) => ({
      term: list.map((t) => t.term),
      feature: list.map((t) => t.feature),
      tfidf: list.map((t) => t.tfidf),
      contribution: list.map((t) => t.contribution),
    })),
  );

/** Each listed term as a row [term, feature, tfidf, contribution]. */
const tuples: Shape = (explanations) =>
  explanations.map(perCode((list) => list.map((t) => [t.term, t.feature, t.tfidf, t.contribution])));

/** Terms once without feature ({term, tfidf}), pairs per code. */
const termsOncePairsWithoutFeature = termsOnce(({ term, tfidf }) => ({ term, tfidf }), pairs);

const shapes: Record<string, Shape> = {
  'current (term, feature, tfidf, contribution per listed term)': current,
  '(b) no feature (the term cleaned gives it)': withoutFeature,
  "(b') feature only when not the term as written": featureWhenDifferent,
  '(a) terms once + [index, contribution] pairs': termsOncePairs,
  '(a) terms once + parallel arrays': termsOnceParallel,
  '(a) terms once + {term: index, contribution}': termsOnceObjects,
  "(a)+(b') terms once, feature when not the term, pairs": termsOncePairsFeatureWhenDifferent,
  '(c) terms once + lists of {term (string), contribution}': termsTableNamedLists,
  '(c) each list as columns {term[], feature[], tfidf[], contribution[]}': columnar,
  '(c) each listed term as [term, feature, tfidf, contribution]': tuples,
  '(a)+(b) terms once without feature + pairs': termsOncePairsWithoutFeature,
};

/** Checks a shape's sums from its JSON: intercept + listed contributions + other_terms = logit within 1e-9. */
function checkSums(name: string, json: string): void {
  // biome-ignore lint/suspicious/noExplicitAny: the shapes differ; this reads them generically.
  const explanation = JSON.parse(json).explanation as any;
  const codes = Array.isArray(explanation) ? explanation : explanation.codes;
  for (const code of codes) {
    // biome-ignore lint/suspicious/noExplicitAny: as above.
    const contributions = (list: any): number[] =>
      Array.isArray(list)
        ? list.map((entry) => (Array.isArray(entry) ? entry[entry.length - 1] : entry.contribution))
        : (list.contributions ?? list.contribution);
    const sum = [...contributions(code.up), ...contributions(code.down)].reduce(
      (total, value) => total + value,
      code.intercept + code.other_terms.contribution,
    );
    if (Math.abs(sum - code.logit) > 1e-9) throw new Error(`${name}: sum ${sum} is not logit ${code.logit}`);
  }
}

interface Explained {
  plains: ReturnType<typeof plainAnswer>[];
  explanations: ClassExplanation[][];
}

function plainAnswer(ranked: ExplainedRanking['ranked']) {
  const best = ranked[0] as ExplainedRanking['ranked'][number];
  return {
    prdtypecode: best.classCode,
    category: category(best.classCode),
    confidence: best.probability,
    top_k: ranked.map(({ classCode, probability }) => ({
      prdtypecode: classCode,
      category: category(classCode),
      probability,
    })),
    model: { name: 'rakuten_classifier', version: '3', alias: 'production' },
    prediction_id: '0193a1c2-7c4e-7a3b-9f1d-2b6c8e0a4f51',
  };
}

async function explainedAnswers(): Promise<Explained> {
  const catalog = [...generateSyntheticCatalog({ rows: catalogRows, seed })];
  process.stderr.write(`fitting on ${trainingRows} synthetic products…\n`);
  const { classifier } = await TextClassifier.fit(catalog.slice(0, trainingRows), {
    text: defaultTextSettings,
    tfidf: defaultTfidfSettings,
    logisticRegression: defaultLogisticRegressionSettings,
    seed,
  });
  const products = catalog
    .slice(trainingRows, trainingRows + answers)
    .map(({ designation, description }) => ({ designation, description }));
  const explained = classifier.explainTopK(products, 5, k);
  return {
    plains: explained.map(({ ranked }) => plainAnswer(ranked)),
    explanations: explained.map(({ explanations }) => explanations),
  };
}

/** How many distinct terms the two codes list, and how often feature equals term. */
function describe(explanations: ClassExplanation[][]): string {
  let distinct = 0;
  let listed = 0;
  let featureEqualsTerm = 0;
  for (const pair of explanations) {
    distinct += distinctTerms(pair).terms.length;
    for (const t of pair.flatMap((e) => [...e.up, ...e.down])) {
      listed++;
      if (t.term === t.feature) featureEqualsTerm++;
    }
  }
  return `distinct listed terms per answer ${(distinct / answers).toFixed(1)} of ${(listed / answers).toFixed(1)} listed; term === feature for ${((featureEqualsTerm / listed) * 100).toFixed(0)}%`;
}

/** Each variant writes answer `index` and returns its UTF-8 bytes. */
function variantsOf({ plains, explanations }: Explained): Record<string, (index: number) => number> {
  const schemaSerializer = fastJson(predictionSchema as Parameters<typeof fastJson>[0]);
  const variants: Record<string, (index: number) => number> = {
    [anchorName]: (index) => Buffer.byteLength(schemaSerializer(plains[index])),
  };
  for (const [name, shape] of Object.entries(shapes)) {
    for (let index = 0; index < answers; index++) {
      checkSums(name, JSON.stringify({ explanation: shape(explanations[index] as ClassExplanation[]) }));
    }
    variants[`${name}, built + written`] = (index) =>
      Buffer.byteLength(
        JSON.stringify({ ...plains[index], explanation: shape(explanations[index] as ClassExplanation[]) }),
      );
    const built = explanations.map((pair, index) => ({ ...plains[index], explanation: shape(pair) }));
    variants[`${name}, written`] = (index) => Buffer.byteLength(JSON.stringify(built[index]));
  }
  return variants;
}

const anchorName = 'plain answer, schema serializer (anchor)';

/** CPU µs per answer of each variant, one list of rounds each. */
function measure(variants: Record<string, (index: number) => number>): Map<string, number[]> {
  const names = Object.keys(variants);
  const times = new Map<string, number[]>(names.map((name) => [name, []]));
  let sink = 0;
  for (let round = 0; round < rounds + 1; round++) {
    const order = names.map((_, index) => names[(index + round) % names.length] as string);
    for (const name of order) {
      const variant = variants[name] as (index: number) => number;
      const before = process.cpuUsage();
      for (let pass = 0; pass < passes; pass++)
        for (let index = 0; index < answers; index++) sink += variant(index);
      const used = process.cpuUsage(before);
      // The first round warms up.
      if (round > 0) (times.get(name) as number[]).push((used.user + used.system) / (answers * passes));
    }
  }
  if (sink === 0) throw new Error('nothing written');
  return times;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

async function main(): Promise<void> {
  const explained = await explainedAnswers();
  const variants = variantsOf(explained);
  const load = os.loadavg()[0]?.toFixed(1);
  const times = measure(variants);
  const anchor = median(times.get(anchorName) as number[]);
  console.log(
    `load average at start ${load}, at end ${os.loadavg()[0]?.toFixed(1)}; ${answers} answers, ${rounds} rounds × ${passes} passes`,
  );
  console.log(describe(explained.explanations));
  console.log('| shape | bytes | CPU µs/answer (min–max) | over plain |');
  console.log('| --- | --- | --- | --- |');
  for (const [name, variant] of Object.entries(variants)) {
    const values = times.get(name) as number[];
    let bytes = 0;
    for (let index = 0; index < answers; index++) bytes += variant(index);
    console.log(
      `| ${name} | ${(bytes / answers).toFixed(0)} | ${median(values).toFixed(2)} (${Math.min(...values).toFixed(2)}–${Math.max(...values).toFixed(2)}) | +${(median(values) - anchor).toFixed(2)} |`,
    );
  }
}

await main();
