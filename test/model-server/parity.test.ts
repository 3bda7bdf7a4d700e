import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { syntheticProducts, writeTestBundle } from './support/bundle.js';
import {
  type Prediction,
  postJson,
  type RunningServer,
  startServer,
  waitUntilReady,
} from './support/server.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
let server: RunningServer;
let bundlePath: string;

beforeAll(async () => {
  bundlePath = await writeTestBundle('parity', 41);
  server = await startServer({ MODEL_URI: bundlePath });
  await waitUntilReady(server.url);
});

afterAll(async () => server?.close());

test('the server answers exactly what `prodclass model predict` prints for the same bundle (no skew)', async () => {
  // Another seed than the training one: unseen products, with HTML, entities, mojibake and empty descriptions.
  const products = syntheticProducts(300, 4242).map(({ designation, description }) => ({
    designation,
    description,
  }));
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
    ],
    {
      cwd: repoRoot,
      input: products.map((product) => JSON.stringify(product)).join('\n'),
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  expect(cli.stderr).toBe('');
  expect(cli.status).toBe(0);
  const expected = cli.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
  expect(expected).toHaveLength(products.length);

  const served: Prediction[] = [];
  for (let start = 0; start < products.length; start += 100) {
    const response = await postJson<{ predictions: Prediction[] }>(`${server.url}/predict/batch`, {
      items: products.slice(start, start + 100),
    });
    expect(response.status).toBe(200);
    served.push(...response.body.predictions);
  }
  const single = await postJson(`${server.url}/predict`, products[0]);
  served[0] = single.body;

  expect(
    served.map(({ prdtypecode, category, confidence, top_k }) => ({
      prdtypecode,
      category,
      confidence,
      top_k,
    })),
  ).toEqual(expected);
});
