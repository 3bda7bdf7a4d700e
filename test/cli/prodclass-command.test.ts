import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { CliResult } from '../support/cli.js';
import { stackEnv } from '../support/stack-env.js';

// The command as README.md, docs/catalog.md and docs/training.md spell it: `npx prodclass …` from
// the checkout, which runs the built CLI (trainer-job/dist) through the root package's bin.
const repository = path.resolve(import.meta.dirname, '../..');

function prodclass(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['prodclass', ...args], {
      cwd: repository,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function json<T>(result: CliResult): T {
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as T;
}

async function withAdmin<T>(work: (admin: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: stackEnv().DATABASE_URL });
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.end();
  }
}

// A fresh database, empty: `db migrate` is the first command a user runs on it.
const database = `prodclass_test_${randomBytes(6).toString('hex')}`;
let env: Record<string, string>;

beforeAll(async () => {
  if (!existsSync(path.join(repository, 'trainer-job/dist/cli.js')))
    throw new Error('the prodclass CLI is not built (no trainer-job/dist/cli.js): run npm run build first');
  await withAdmin((admin) => admin.query(`create database ${database}`));
  const url = new URL(stackEnv().DATABASE_URL);
  url.pathname = `/${database}`;
  env = { DATABASE_URL: url.toString(), MLFLOW_TRACKING_URI: stackEnv().MLFLOW_TRACKING_URI };
});

afterAll(() => withAdmin((admin) => admin.query(`drop database if exists ${database} with (force)`)));

describe('npx prodclass, as the docs spell it', () => {
  test('--help lists every command, including those inside a group, one line each', async () => {
    const result = await prodclass(['--help']);
    expect(result.code, result.stderr).toBe(0);
    const listing = result.stdout.split('\nCommands:\n')[1]?.trimEnd().split('\n') ?? [];
    const commands = listing.map((line) => /^ {2}(\S+(?: [a-z-]+)*)/.exec(line)?.[1]);
    for (const command of [
      'db migrate',
      'data generate',
      'data load',
      'data status',
      'data history',
      'data export',
      'data balance',
      'train',
      'promote',
      'reproduce',
      'model fit',
      'model eval',
      'model predict',
      'model impact',
      'help',
    ])
      expect(commands).toContain(command);
    for (const line of listing) expect(line).toMatch(/^ {2}\S.*\S {2,}\S/);
  });

  test('--version prints the version and the git commit of the checkout, or "unknown"', async () => {
    const version = await prodclass(['--version'], { PRODCLASS_GIT_COMMIT: '' });
    expect(version.code, version.stderr).toBe(0);
    expect(version.stdout).toMatch(/^prodclass 0\.1\.0 \(git commit [0-9a-f]{40}\)\n$/);

    const outsideGit = await prodclass(['--version'], { PRODCLASS_GIT_COMMIT: '', GIT_DIR: os.tmpdir() });
    expect(outsideGit.code, outsideGit.stderr).toBe(0);
    expect(outsideGit.stdout).toBe('prodclass 0.1.0 (git commit unknown)\n');
  });

  test("--help, --version and a command's own --help load no command's implementation", async () => {
    // Node's debug log names every module it loads (ES modules and CommonJS). scripts/prodclass is
    // what npx runs, started directly so that npm's own modules stay out of the log.
    for (const args of [
      ['--help'],
      ['--version'],
      ['drift', 'check', '--help'],
      ['model', 'impact', '--help'],
    ]) {
      const result = spawnSync(path.join(repository, 'scripts/prodclass'), args, {
        env: { ...process.env, NODE_DEBUG: 'esm,module' },
        encoding: 'utf8',
      });
      expect(result.status, result.stderr).toBe(0);
      expect(result.stderr, 'the debug log names the modules loaded').toMatch(/node_modules\/commander\//);
      // Allowed: the drift report store (the drift actions a flag names) and the text model's
      // estimator defaults (the hyperparameter flags' defaults), modules without run-time imports.
      const heavy =
        /node_modules\/(pg|@napi-rs\/canvas|csv-parse|hyparquet-writer)\/|\/(textmodel|catalog)\/(dist|src)\/(?!drift\/report-store|estimator-defaults)|\/trainer-job\/dist\/actions\//;
      expect(heavy.exec(result.stderr)?.[0], args.join(' ')).toBeUndefined();
    }
  });

  test('db migrate, data load, data status, train on a fresh database', { timeout: 600_000 }, async () => {
    const migrated = json<{ applied: string[]; already_applied: string[] }>(
      await prodclass(['db', 'migrate'], env),
    );
    expect(migrated.applied.length).toBeGreaterThan(0);
    expect(migrated.already_applied).toEqual([]);

    const load = json<{ outcome: string; load: { cumulative_rows: number } }>(
      await prodclass(['data', 'load', '--source', 'synthetic', '--to-percent', '40'], env),
    );
    expect(load.outcome).toBe('completed');
    expect(load.load.cumulative_rows).toBe(33_966);

    const status = json<{ current_percentage: number; total_rows: number }>(
      await prodclass(['data', 'status', '--json'], env),
    );
    expect(status).toMatchObject({ current_percentage: 40, total_rows: 33_966 });

    // The docs' first training line, in an experiment and registered model of this test's own.
    const suffix = randomBytes(4).toString('hex');
    const summary = json<{ run_id: string; model_version: number; promotion: { decision: string } }>(
      await prodclass(
        [
          'train',
          '--auto-promote',
          '--min-f1',
          '0.70',
          '--experiment',
          `prodclass_command_test_${suffix}`,
          '--registered-model',
          `rc_command_test_${suffix}`,
        ],
        env,
      ),
    );
    expect(summary.run_id).toMatch(/^[0-9a-f]{32}$/);
    expect(summary.model_version).toBe(1);
    expect(summary.promotion.decision).toBe('promote');
  });
});
