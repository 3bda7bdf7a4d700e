import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { migrationsDirectory } from '@prodclass/catalog/migrate';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startConsole } from '../console/support/console.js';
import { writeTestBundle } from '../model-server/support/bundle.js';
import { spawnServer } from '../model-server/support/server-process.js';
import { applyCrds } from '../operator/support/cluster.js';
import { runCli } from '../support/cli.js';
import { stackEnv } from '../support/stack-env.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

// `prodclass db migrate` is the only program that changes the schema: the CLI's other commands, the
// model server and the console check it at start and refuse a schema behind their build, naming
// the command, without touching it.
const repoRoot = path.resolve(import.meta.dirname, '../..');
const shipped = fs
  .readdirSync(migrationsDirectory)
  .filter((name) => name.endsWith('.sql'))
  .sort();
const numberOf = (name: string | undefined) => Number.parseInt(name ?? '0', 10);
const behind = (at: number) =>
  `the database schema is at ${at} but this build needs ${numberOf(shipped.at(-1))}: run prodclass db migrate`;

let database: TestDatabase;
let env: Record<string, string>;
let bundle: string;

beforeAll(async () => {
  await applyCrds();
  database = await createTestDatabase({ migrated: false });
  env = { DATABASE_URL: database.url, MLFLOW_TRACKING_URI: stackEnv().MLFLOW_TRACKING_URI };
  bundle = await writeTestBundle('schema-version', 11);
});
afterAll(() => database?.drop());

async function tables(): Promise<string[]> {
  const client = await database.connect();
  const { rows } = await client.query<{ name: string }>(
    `select table_name as name from information_schema.tables where table_schema = 'public' order by 1`,
  );
  return rows.map((row) => row.name);
}

/** The model server as its own process, to its exit (stopped at once if it starts listening); its stderr. */
async function modelServerExit(): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', path.join(repoRoot, 'model-server/src/main.ts')],
    {
      cwd: repoRoot,
      env: { PATH: process.env.PATH, HOST: '127.0.0.1', PORT: '0', MODEL_URI: bundle, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout?.on('data', (chunk: Buffer) => {
    if (chunk.toString().includes('Server listening')) child.kill('SIGTERM');
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { code, stderr };
}

const commands = [
  ['data', 'status'],
  ['data', 'load', '--source', 'synthetic', '--to-percent', '10'],
  ['train'],
  ['promote', '--version', '1'],
  ['drift', 'check', '--model', 'm'],
  ['feedback', 'load', 'labels.csv'],
  ['quality', 'report', '--window', '7d'],
];

test('on an unmigrated database, every command, the model server and the console fail naming prodclass db migrate, and migrate nothing', {
  timeout: 120_000,
}, async () => {
  const runs = await Promise.all(commands.map((args) => runCli(args, env)));
  for (const [index, run] of runs.entries()) {
    expect(run.code, commands[index]?.join(' ')).toBe(1);
    expect(run.stderr, commands[index]?.join(' ')).toBe(`prodclass: ${behind(0)}\n`);
  }
  const server = await modelServerExit();
  expect(server).toEqual({ code: 1, stderr: `model-server: ${behind(0)}\n` });
  await expect(startConsole('default', database.url)).rejects.toThrow(behind(0));
  expect(await tables()).toEqual([]);
});

test('after prodclass db migrate, they work', { timeout: 120_000 }, async () => {
  const migrated = await runCli(['db', 'migrate'], env);
  expect(migrated.code, migrated.stderr).toBe(0);
  expect(JSON.parse(migrated.stdout)).toEqual({ applied: shipped, already_applied: [] });

  const status = await runCli(['data', 'status', '--json'], env);
  expect(status.code, status.stderr).toBe(0);
  expect(JSON.parse(status.stdout)).toMatchObject({ total_rows: 0 });
  const server = await spawnServer({ MODEL_URI: bundle, ...env });
  server.child.kill('SIGTERM');
  expect(await server.exited).toBe(0);
  const console = await startConsole('default', database.url);
  await console.close();
});

test('a database some migrations behind says how far; one ahead of the build is accepted', {
  timeout: 60_000,
}, async () => {
  const client = await database.connect();
  const [last, beforeLast] = [shipped.at(-1), shipped.at(-2)];
  const { rows } = await client.query(
    'delete from schema_migrations where name = any($1) returning name, checksum, applied_at',
    [[last, beforeLast]],
  );
  try {
    const run = await runCli(['data', 'history'], env);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`prodclass: ${behind(numberOf(shipped.at(-3)))}\n`);
  } finally {
    for (const row of rows)
      await client.query('insert into schema_migrations (name, checksum, applied_at) values ($1, $2, $3)', [
        row.name,
        row.checksum,
        row.applied_at,
      ]);
  }

  // A newer build migrated it: migrations only add, so this build still reads and writes it.
  await client.query(`insert into schema_migrations (name, checksum) values ('999_a_newer_build.sql', 'x')`);
  const run = await runCli(['data', 'history'], env);
  expect(run.code, run.stderr).toBe(0);
  expect(run.stdout).toBe('No loads yet.\n');
});
