import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import { inferenceLogColumns } from '../../model-server/src/inference-log-line.js';
import { type DedicatedPostgres, startDedicatedPostgres } from '../support/dedicated-postgres.js';
import { writeTestBundle } from './support/bundle.js';
import { postJson, sampleValue, waitUntil, waitUntilReady } from './support/server.js';
import { type ServerProcess, spawnServer } from './support/server-process.js';

// The inference log while PostgreSQL is stopped for real (a server of this file's own, so the
// stack's stays up for every other test), with a real model server process spooling to a directory.
let postgres: DedicatedPostgres;
let modelUri: string;
const started: ServerProcess[] = [];

beforeAll(async () => {
  postgres = await startDedicatedPostgres();
  modelUri = await writeTestBundle('inference-log-spool', 27);
}, 120_000);

afterEach(async () => {
  for (const server of started.splice(0)) {
    if (server.child.exitCode === null) server.child.kill('SIGKILL');
    await server.exited;
  }
  await postgres.start().catch(() => undefined);
  await sql('truncate inference_log');
});

afterAll(async () => postgres?.destroy());

async function sql<T extends pg.QueryResultRow = Record<string, unknown>>(
  text: string,
  values: unknown[] = [],
): Promise<T[]> {
  const client = new pg.Client({ connectionString: postgres.url });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

async function startSpoolingServer(spoolDir: string, spoolBytes?: number): Promise<ServerProcess> {
  const server = await spawnServer({
    MODEL_URI: modelUri,
    DATABASE_URL: postgres.url,
    INFERENCE_LOG_SPOOL_DIR: spoolDir,
    ...(spoolBytes ? { INFERENCE_LOG_SPOOL_BYTES: String(spoolBytes) } : {}),
  });
  started.push(server);
  await waitUntilReady(server.url);
  return server;
}

const metric = async (server: ServerProcess, sample: string) =>
  sampleValue(await (await fetch(`${server.url}/metrics`)).text(), sample) ?? 0;

/** Predictions of "Robe <n>" for n in [from, to), one after the other; their prediction ids by n. */
async function predict(server: ServerProcess, from: number, to: number): Promise<Map<number, string>> {
  const ids = new Map<number, string>();
  for (let n = from; n < to; n++) {
    const answer = await postJson(`${server.url}/predict`, { designation: `Robe ${n}` });
    expect(answer.status).toBe(200);
    ids.set(n, answer.body.prediction_id);
  }
  return ids;
}

interface LoggedRow {
  prediction_id: string;
  n: number;
  written_by: string;
}

/** Every logged row, by its number, with the transaction that wrote it. */
async function loggedRows(): Promise<LoggedRow[]> {
  return sql<LoggedRow>(
    `select prediction_id, substr(designation, 6)::int as n, xmin::text as written_by
     from inference_log order by n`,
  );
}

function expectWrittenInOrder(rows: LoggedRow[]): void {
  const transactions = rows.map((row) => Number(row.written_by));
  expect(transactions).toEqual([...transactions].sort((a, b) => a - b));
}

const spoolDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'prodclass-spool-test-'));
const spoolFiles = (dir: string) => fs.readdirSync(dir).filter((name) => name.endsWith('.copy'));

test('PostgreSQL stopped within the spool: every answered prediction is logged once, in order, none dropped', async () => {
  const dir = spoolDir();
  const server = await startSpoolingServer(dir);
  const answered = await predict(server, 0, 50);
  await waitUntil(
    'the first rows are written',
    async () => (await sql('select 1 from inference_log')).length === 50,
  );

  await postgres.stop();
  for (const [n, id] of await predict(server, 50, 350)) answered.set(n, id);
  await waitUntil(
    'the rows answered meanwhile are spooled',
    async () => (await metric(server, 'prodclass_inference_log_spool_rows')) === 300,
  );
  expect(spoolFiles(dir).length).toBeGreaterThan(0);

  await postgres.start();
  for (const [n, id] of await predict(server, 350, 400)) answered.set(n, id);
  await waitUntil(
    'the spool is written',
    async () => (await sql('select 1 from inference_log')).length === 400,
  );
  await waitUntil('the spool is empty', async () => spoolFiles(dir).length === 0);

  const rows = await loggedRows();
  expect(rows.map((row) => [row.n, row.prediction_id])).toEqual([...answered]);
  expectWrittenInOrder(rows);
  // Rows answered after PostgreSQL's return join the spool's end until it is written.
  expect(await metric(server, 'prodclass_inference_log_spooled_total')).toBeGreaterThanOrEqual(300);
  expect(await metric(server, 'prodclass_inference_log_spool_rows')).toBe(0);
  for (const reason of ['queue_full', 'write_failed', 'spool_full']) {
    expect(await metric(server, `prodclass_inference_log_dropped_total{reason="${reason}"}`)).toBe(0);
  }
}, 120_000);

test('PostgreSQL stopped beyond the spool: what does not fit is counted as dropped (spool_full), the rest logged once', async () => {
  const dir = spoolDir();
  // 64 KiB: about 300 of these rows.
  const server = await startSpoolingServer(dir, 64 * 1024);
  await postgres.stop();
  const answered = await predict(server, 0, 1500);
  const dropped = 'prodclass_inference_log_dropped_total{reason="spool_full"}';
  await waitUntil(
    'every row is spooled or dropped',
    async () =>
      (await metric(server, 'prodclass_inference_log_spooled_total')) + (await metric(server, dropped)) ===
      1500,
  );
  const spooled = await metric(server, 'prodclass_inference_log_spooled_total');
  expect(spooled).toBeGreaterThan(0);
  expect(await metric(server, dropped)).toBeGreaterThan(0);

  await postgres.start();
  await waitUntil(
    'the spool is written',
    async () => (await metric(server, 'prodclass_inference_log_written_total')) === spooled,
  );
  const rows = await loggedRows();
  expect(rows.length).toBe(spooled);
  expect(new Set(rows.map((row) => row.prediction_id)).size).toBe(spooled);
  for (const row of rows) expect(answered.get(row.n)).toBe(row.prediction_id);
  expectWrittenInOrder(rows);
  expect(await metric(server, 'prodclass_inference_log_dropped_total{reason="write_failed"}')).toBe(0);
}, 120_000);

test('a server restarted with a non-empty spool writes it at start, once, even a segment already written and a line cut short', async () => {
  const dir = spoolDir();
  const first = await startSpoolingServer(dir);
  const answered = await predict(first, 0, 50);
  await waitUntil(
    'the first rows are written',
    async () => (await sql('select 1 from inference_log')).length === 50,
  );
  await postgres.stop();
  for (const [n, id] of await predict(first, 50, 250)) answered.set(n, id);
  await waitUntil(
    'the rows answered meanwhile are spooled',
    async () => (await metric(first, 'prodclass_inference_log_spool_rows')) === 200,
  );
  // A crash: no shutdown, the spool stays as it is on disk (as an emptyDir outlives a container restart).
  first.child.kill('SIGKILL');
  await first.exited;

  await postgres.start();
  // A segment whose rows were committed but whose file outlived a crash: the first 50 rows again.
  const copied = await sql<{ line: string }>(
    `select concat_ws(e'\\t', ${inferenceLogColumns
      .split(', ')
      .map((column) => `coalesce(${column}::text, '\\N')`)
      .join(', ')}) as line from inference_log`,
  );
  expect(copied.length).toBe(50);
  fs.writeFileSync(path.join(dir, '0000000000000000.copy'), copied.map(({ line }) => `${line}\n`).join(''));
  // And half a line at the end of the newest segment, as an append cut short by the crash leaves.
  fs.appendFileSync(path.join(dir, spoolFiles(dir).sort().at(-1) as string), `${answered.get(0)}\t2026-`);

  const second = await startSpoolingServer(dir);
  expect(
    second.logs.some((line) => line.msg === 'the inference-log spool holds rows; writing them first'),
  ).toBe(true);
  await waitUntil('the spool is written', async () => spoolFiles(dir).length === 0);
  const rows = await loggedRows();
  expect(rows.map((row) => [row.n, row.prediction_id])).toEqual([...answered]);
  expectWrittenInOrder(rows);
  // The rows already logged are skipped, not written again.
  expect(await metric(second, 'prodclass_inference_log_written_total')).toBe(200);
  expect(await metric(second, 'prodclass_inference_log_dropped_total{reason="write_failed"}')).toBe(0);
}, 120_000);

test('a server started while PostgreSQL is stopped serves, spools, and writes the rows once PostgreSQL is back and its schema current', async () => {
  const dir = spoolDir();
  await postgres.stop();
  const server = await startSpoolingServer(dir);
  expect(server.logs.some((line) => String(line.msg).startsWith('PostgreSQL is unreachable at start'))).toBe(
    true,
  );
  const answered = await predict(server, 0, 100);
  await waitUntil(
    'the rows are spooled',
    async () => (await metric(server, 'prodclass_inference_log_spool_rows')) === 100,
  );

  // Back, but behind this build's schema: the rows wait in the spool rather than be refused.
  await postgres.start();
  const [latest] = await sql<{ name: string; checksum: string }>(
    'delete from schema_migrations where name = (select max(name) from schema_migrations) returning name, checksum',
  );
  for (const [n, id] of await predict(server, 100, 120)) answered.set(n, id);
  await waitUntil('the schema check has failed', async () =>
    server.logs.some((line) =>
      /this build needs \d+: run prodclass db migrate$/.test(
        (line.err as { message?: string })?.message ?? '',
      ),
    ),
  );
  expect(await metric(server, 'prodclass_inference_log_spool_rows')).toBe(120);
  expect(await sql('select 1 from inference_log')).toEqual([]);

  await sql('insert into schema_migrations (name, checksum) values ($1, $2)', [
    latest?.name,
    latest?.checksum,
  ]);
  await waitUntil(
    'the spool is written',
    async () => (await sql('select 1 from inference_log')).length === 120,
  );
  const rows = await loggedRows();
  expect(rows.map((row) => [row.n, row.prediction_id])).toEqual([...answered]);
  expect(await metric(server, 'prodclass_inference_log_dropped_total{reason="write_failed"}')).toBe(0);
});

test('without a spool a server started while PostgreSQL is stopped refuses to start, saying why', async () => {
  await postgres.stop();
  await expect(spawnServer({ MODEL_URI: modelUri, DATABASE_URL: postgres.url })).rejects.toThrow(
    /cannot reach the inference-log database \(DATABASE_URL\)/,
  );
});
