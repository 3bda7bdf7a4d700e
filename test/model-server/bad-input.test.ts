import { afterAll, beforeAll, expect, test } from 'vitest';
import { writeTestBundle } from './support/bundle.js';
import {
  type ErrorBody,
  getJson,
  type RunningServer,
  startServer,
  waitUntilReady,
} from './support/server.js';

let server: RunningServer;

beforeAll(async () => {
  server = await startServer({ MODEL_URI: await writeTestBundle('bad-input', 1) });
  await waitUntilReady(server.url);
});

afterAll(async () => server?.close());

async function send(
  path: string,
  body: string | Uint8Array,
  contentType = 'application/json',
): Promise<{ status: number; body: ErrorBody }> {
  const response = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body,
  });
  return { status: response.status, body: (await response.json()) as ErrorBody };
}

const megabyteString = 'a'.repeat(1024 * 1024);
const item = { designation: 'Piscine tubulaire ronde 3m', description: null };

const cases: {
  name: string;
  path?: string;
  body: string | Uint8Array;
  contentType?: string;
  status: number;
  message: RegExp;
}[] = [
  { name: 'non-JSON body', body: '{"designation": "lampe"', status: 400, message: /not valid JSON/ },
  { name: 'empty body', body: '', status: 400, message: /empty/ },
  {
    name: 'form body',
    body: 'designation=lampe',
    contentType: 'application/x-www-form-urlencoded',
    status: 415,
    message: /content-type: application\/json/,
  },
  { name: 'array body', body: '[]', status: 400, message: /must be a JSON object/ },
  {
    name: 'designation of the wrong type',
    body: '{"designation": 42}',
    status: 400,
    message: /^designation must be of type string$/,
  },
  {
    name: 'description of the wrong type',
    body: '{"designation": "lampe", "description": ["x"]}',
    status: 400,
    message: /^description must be of type string,null$/,
  },
  {
    name: 'missing designation',
    body: '{"description": "une lampe"}',
    status: 400,
    message: /^designation is required$/,
  },
  {
    name: 'empty designation',
    body: '{"designation": ""}',
    status: 400,
    message: /^designation must not be empty$/,
  },
  {
    name: 'blank designation',
    body: '{"designation": " \\t\\n"}',
    status: 400,
    message: /^designation must not be empty$/,
  },
  {
    name: 'unknown field',
    body: '{"designation": "lampe", "prix": 3}',
    status: 400,
    message: /unknown field "prix"/,
  },
  {
    name: '1 MB designation',
    body: JSON.stringify({ designation: megabyteString }),
    status: 413,
    message: /larger than this route accepts/,
  },
  {
    name: '1 MB description',
    body: JSON.stringify({ designation: 'x', description: megabyteString }),
    status: 413,
    message: /larger than this route accepts/,
  },
  {
    name: '1 MB designation in a batch',
    path: '/predict/batch',
    body: JSON.stringify({ items: [{ designation: megabyteString }] }),
    status: 400,
    message: /^items\[0\]\.designation is longer than 1000 characters$/,
  },
  {
    name: 'invalid UTF-8',
    body: Buffer.concat([
      Buffer.from('{"designation": "lampe '),
      Buffer.from([0xc3, 0x28, 0xff]),
      Buffer.from('"}'),
    ]),
    status: 400,
    message: /not valid UTF-8/,
  },
  {
    name: 'oversized batch',
    path: '/predict/batch',
    body: JSON.stringify({ items: Array(101).fill(item) }),
    status: 400,
    message: /^items holds more than 100 items/,
  },
  {
    name: 'empty batch',
    path: '/predict/batch',
    body: '{"items": []}',
    status: 400,
    message: /^items must hold at least 1 item$/,
  },
  {
    name: 'batch item without designation',
    path: '/predict/batch',
    body: '{"items": [{"designation": "a"}, {}]}',
    status: 400,
    message: /^items\[1\]\.designation is required$/,
  },
  {
    name: 'prototype pollution',
    body: '{"designation": "a", "__proto__": {"x": 1}}',
    status: 400,
    message: /.+/,
  },
];

test.each(cases)('$name gets $status with a message a person understands', async (badInput) => {
  const response = await send(badInput.path ?? '/predict', badInput.body, badInput.contentType);
  expect(response.status).toBe(badInput.status);
  expect(Object.keys(response.body).sort()).toEqual(['error', 'message', 'statusCode']);
  expect(response.body.statusCode).toBe(badInput.status);
  expect(response.body.message).toMatch(badInput.message);
});

test('after every bad input the server still answers, and the errors are counted by route and status', async () => {
  expect((await getJson(`${server.url}/health`)).status).toBe(200);
  const ok = await fetch(`${server.url}/predict`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(item),
  });
  expect(ok.status).toBe(200);
  const metrics = await (await fetch(`${server.url}/metrics`)).text();
  expect(metrics).toMatch(
    /prodclass_http_errors_total\{route="\/predict",status_code="400",track="primary"\} [1-9]/,
  );
  expect(metrics).toMatch(
    /prodclass_http_errors_total\{route="\/predict",status_code="413",track="primary"\} 2/,
  );
  expect(metrics).toMatch(
    /prodclass_http_errors_total\{route="\/predict\/batch",status_code="400",track="primary"\} 4/,
  );
});

test('unknown routes and admin routes without ADMIN_TOKEN are 404', async () => {
  const unknown = await getJson<ErrorBody>(`${server.url}/nope`);
  expect(unknown.status).toBe(404);
  expect(unknown.body.message).toBe('there is no route GET /nope');
  expect((await send('/admin/reload', '{}')).status).toBe(404);
});
