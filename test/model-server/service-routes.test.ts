import { afterAll, beforeAll, expect, test } from 'vitest';
import { writeTestBundle } from './support/bundle.js';
import { getJson, type RunningServer, startServer, waitUntilReady } from './support/server.js';

let server: RunningServer;

beforeAll(async () => {
  server = await startServer({ MODEL_URI: await writeTestBundle('service-routes', 51) });
  await waitUntilReady(server.url);
});

afterAll(async () => server?.close());

test('GET / names the service, its model and its input limits', async () => {
  const info = await getJson<Record<string, unknown>>(`${server.url}/`);
  expect(info.status).toBe(200);
  expect(info.body).toMatchObject({
    service: 'prodclass model server',
    model: { name: 'model.bundle', alias: null },
    docs: '/docs',
    limits: { designation_characters: 1000, description_characters: 20000, batch_items: 100 },
  });
});

test('/docs serves the OpenAPI description of every route, and no CORS header is sent', async () => {
  const spec = await getJson<{ openapi: string; paths: Record<string, unknown> }>(`${server.url}/docs/json`);
  expect(spec.body.openapi).toMatch(/^3\./);
  expect(Object.keys(spec.body.paths).sort()).toEqual(
    ['/', '/health', '/metrics', '/model', '/predict', '/predict/batch', '/ready'].sort(),
  );
  const ui = await fetch(`${server.url}/docs`, { headers: { origin: 'https://evil.example' } });
  expect(ui.status).toBe(200);
  expect(ui.headers.get('access-control-allow-origin')).toBeNull();
});
