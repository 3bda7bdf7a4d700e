import { spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { decodeModelBundle } from '@prodclass/textmodel/bundle/model-bundle';
import type { TextClassifier } from '@prodclass/textmodel/model/text-classifier';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { syntheticProducts, writeTestBundle } from './support/bundle.js';
import {
  type ErrorBody,
  type Prediction,
  postJson,
  type RunningServer,
  startServer,
  waitUntilReady,
} from './support/server.js';

interface Term {
  term: string;
  feature: string;
  tfidf: number;
  contribution: number;
}

interface ClassExplanation {
  prdtypecode: number;
  category: string;
  logit: number;
  intercept: number;
  up: Term[];
  down: Term[];
  other_terms: { count: number; contribution: number };
}

type ExplainedPrediction = Prediction & { explanation?: ClassExplanation[] };

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
let server: RunningServer;
let bundlePath: string;
let classifier: TextClassifier;
// Unseen products of another seed than the training one, with HTML, entities and empty descriptions.
const products = syntheticProducts(60, 4343).map(({ designation, description }) => ({
  designation,
  description,
}));

beforeAll(async () => {
  bundlePath = await writeTestBundle('explain', 43);
  classifier = decodeModelBundle(await fs.readFile(bundlePath)).classifier;
  server = await startServer({ MODEL_URI: bundlePath });
  await waitUntilReady(server.url);
});

afterAll(async () => server?.close());

/** The logit of `code` summed by hand from the bundle's weights and the batch TF-IDF row. */
function logitOf(product: (typeof products)[number], code: number): number {
  const { coef, intercept, classes } = classifier.state.logisticRegression;
  const row = classifier.transform([product]);
  const index = classes.indexOf(code);
  let logit = intercept[index] as number;
  for (let entry = 0; entry < row.values.length; entry++) {
    logit +=
      (row.values[entry] as number) *
      (coef[(row.indices[entry] as number) * classes.length + index] as number);
  }
  return logit;
}

/** The bundle's coefficient of `feature` for `code`. */
function coefficientOf(feature: string, code: number): number {
  const { coef, classes } = classifier.state.logisticRegression;
  const column = classifier.state.tfidf.vocabulary.indexOf(feature);
  expect(column).toBeGreaterThanOrEqual(0);
  return coef[column * classes.length + classes.indexOf(code)] as number;
}

function withoutId({ prediction_id, explanation, ...rest }: ExplainedPrediction) {
  return rest;
}

test('without explain (absent or 0) a prediction is unchanged: no explanation field', async () => {
  for (const body of [products[0], { ...products[0], explain: 0 }]) {
    const response = await postJson<ExplainedPrediction>(`${server.url}/predict`, body);
    expect(response.status).toBe(200);
    expect(Object.keys(response.body).sort()).toEqual(
      ['category', 'confidence', 'model', 'prdtypecode', 'prediction_id', 'top_k'].sort(),
    );
  }
});

test('explain takes the predicted code and the runner-up apart: intercept + contributions = logit within 1e-9', async () => {
  for (const product of products) {
    const plain = await postJson<ExplainedPrediction>(`${server.url}/predict`, product);
    const { status, body } = await postJson<ExplainedPrediction>(`${server.url}/predict`, {
      ...product,
      explain: 20,
    });
    expect(status).toBe(200);
    expect(withoutId(body)).toEqual(withoutId(plain.body));
    const [best, second] = body.explanation as [ClassExplanation, ClassExplanation];
    expect(body.explanation).toHaveLength(2);
    expect([best.prdtypecode, second.prdtypecode]).toEqual(body.top_k.slice(0, 2).map((c) => c.prdtypecode));
    for (const explanation of [best, second]) {
      const listed = [...explanation.up, ...explanation.down];
      const sum = listed.reduce((total, term) => total + term.contribution, explanation.intercept);
      expect(Math.abs(sum + explanation.other_terms.contribution - explanation.logit)).toBeLessThan(1e-9);
      expect(Math.abs(explanation.logit - logitOf(product, explanation.prdtypecode))).toBeLessThan(1e-9);
      expect(explanation.up.length).toBeLessThanOrEqual(20);
      expect(explanation.down.length).toBeLessThanOrEqual(20);
      for (const term of listed) {
        expect(Object.keys(term)).toEqual(['term', 'feature', 'tfidf', 'contribution']);
        expect(term.contribution).toBe(coefficientOf(term.feature, explanation.prdtypecode) * term.tfidf);
      }
      if (explanation.other_terms.count === 0) expect(explanation.other_terms.contribution).toBe(0);
    }
    const [p1, p2] = body.top_k as [Prediction['top_k'][number], Prediction['top_k'][number]];
    expect(Math.abs(best.logit - second.logit - Math.log(p1.probability / p2.probability))).toBeLessThan(
      1e-9,
    );
  }
});

test('the batch route explains every item with `explain`, and none without it', async () => {
  const plain = await postJson<{ predictions: ExplainedPrediction[] }>(`${server.url}/predict/batch`, {
    items: products.slice(0, 10),
  });
  expect(plain.body.predictions.every((prediction) => prediction.explanation === undefined)).toBe(true);
  const explained = await postJson<{ predictions: ExplainedPrediction[] }>(`${server.url}/predict/batch`, {
    items: products.slice(0, 10),
    explain: 3,
  });
  expect(explained.status).toBe(200);
  for (const [index, prediction] of explained.body.predictions.entries()) {
    const single = await postJson<ExplainedPrediction>(`${server.url}/predict`, {
      ...products[index],
      explain: 3,
    });
    expect(prediction.explanation).toEqual(single.body.explanation);
    for (const { up, down } of prediction.explanation ?? []) {
      expect(up.length).toBeLessThanOrEqual(3);
      expect(down.length).toBeLessThanOrEqual(3);
    }
  }
});

test('an explained answer has the content type of any other', async () => {
  const contentType = async (route: string, body: unknown) =>
    (
      await fetch(`${server.url}${route}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
    ).headers.get('content-type');
  const plain = await contentType('/predict', products[0]);
  expect(plain).toBe('application/json; charset=utf-8');
  expect(await contentType('/predict', { ...products[0], explain: 5 })).toBe(plain);
  expect(await contentType('/predict/batch', { items: [products[0]], explain: 5 })).toBe(plain);
});

test('explain must be an integer from 0 to 20', async () => {
  for (const [explain, message] of [
    [21, 'explain must be at most 20'],
    [-1, 'explain must be at least 0'],
    [2.5, 'explain must be of type integer'],
  ] as const) {
    const response = await postJson<ErrorBody>(`${server.url}/predict`, { ...products[0], explain });
    expect(response.status).toBe(400);
    expect(response.body.message).toBe(message);
  }
  const batch = await postJson<ErrorBody>(`${server.url}/predict/batch`, {
    items: [products[0]],
    explain: 50,
  });
  expect(batch.status).toBe(400);
  expect(batch.body.message).toBe('explain must be at most 20');
});

test('`prodclass model predict --explain 4` prints the explanations the server answers', async () => {
  const cli = spawnSync(
    process.execPath,
    [
      '--conditions=source',
      '--import',
      'tsx',
      'trainer-job/src/cli.ts',
      'model',
      'predict',
      '--model',
      bundlePath,
      '--explain',
      '4',
    ],
    { cwd: repoRoot, input: products.map((product) => JSON.stringify(product)).join('\n'), encoding: 'utf8' },
  );
  expect(cli.stderr).toBe('');
  expect(cli.status).toBe(0);
  const printed = cli.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
  const served = await postJson<{ predictions: ExplainedPrediction[] }>(`${server.url}/predict/batch`, {
    items: products,
    explain: 4,
  });
  expect(printed).toEqual(
    served.body.predictions.map(({ prdtypecode, category, confidence, top_k, explanation }) => ({
      prdtypecode,
      category,
      confidence,
      top_k,
      explanation,
    })),
  );
});
