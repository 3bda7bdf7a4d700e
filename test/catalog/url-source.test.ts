import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { writeOfficialFiles } from '@prodclass/catalog/official-writer';
import { generateSyntheticCatalog } from '@prodclass/catalog/synthetic/generator';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { runCli } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

let scratch: string;
let database: TestDatabase;
let server: http.Server;
let baseUrl: string;

beforeAll(async () => {
  scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'prodclass-url-source-'));
  await writeOfficialFiles(generateSyntheticCatalog({ rows: 500, seed: 3 }), scratch);
  database = await createTestDatabase();
  // A plain file server on loopback, standing in for wherever a team keeps its downloaded files.
  server = http.createServer(async (request, response) => {
    const name = /^\/rakuten\/([\w.]+)$/.exec(request.url ?? '')?.[1];
    const content = name ? await fs.readFile(path.join(scratch, name)).catch(() => undefined) : undefined;
    response.writeHead(content ? 200 : 404).end(content);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/rakuten/`;
});

afterAll(async () => {
  server?.close();
  await database?.drop();
  await fs.rm(scratch, { recursive: true, force: true });
});

test('the official files are loaded from an http URL, as a DataIncrement with files.url asks', async () => {
  const result = await runCli(['data', 'load', '--source', baseUrl, '--to-percent', '40'], {
    DATABASE_URL: database.url,
  });
  expect(result.code, result.stderr).toBe(0);
  expect(JSON.parse(result.stdout).load).toMatchObject({ name: 'initial_40.0pct', rows_added: 200 });
});

test('a URL that does not serve the files is refused with the address and the status', async () => {
  const result = await runCli(['data', 'load', '--source', `${baseUrl}missing/`, '--to-percent', '40'], {
    DATABASE_URL: database.url,
  });
  expect(result.code).toBe(1);
  expect(result.stderr).toMatch(
    /^prodclass: downloading http:\/\/127\.0\.0\.1:\d+\/rakuten\/missing\/\S+ failed: HTTP 404$/m,
  );
});
