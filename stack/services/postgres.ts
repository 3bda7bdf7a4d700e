import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { localDir, logFileOf } from '../paths.js';
import { lastLines, StackError } from '../processes.js';
import type { Service } from '../service.js';
import type { StackState } from '../state.js';

const runsAsRoot = process.getuid?.() === 0;

/** PostgreSQL refuses to run as root; when we are root, its commands run as the `postgres` user. */
function asServerUser(command: string, args: string[]): [string, string[]] {
  return runsAsRoot ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
}

/**
 * `.local/postgres`, unless the `postgres` user cannot reach it (a checkout under a private
 * directory, as root): then a directory of its own under /var/tmp, named after this checkout.
 */
function serverRoot(): string {
  const wanted = path.join(localDir, 'postgres');
  if (!runsAsRoot) return wanted;
  // On a fresh checkout .local/ does not exist yet, and a missing directory is not reachable either.
  fs.mkdirSync(localDir, { recursive: true });
  const [cmd, argv] = asServerUser('test', ['-x', localDir]);
  if (spawnSync(cmd, argv).status === 0) return wanted;
  const key = createHash('sha256').update(localDir).digest('hex').slice(0, 12);
  return path.join('/var/tmp', `prodclass-postgres-${key}`);
}

const root = serverRoot();
const dataDir = path.join(root, 'data');
const logFile = root.startsWith(localDir) ? logFileOf('postgres') : path.join(root, 'postgres.log');
export const databases = ['prodclass', 'mlflow'] as const;
const superuser = 'prodclass';

function binary(name: string): string {
  const candidates = [
    process.env.PG_BIN ? path.join(process.env.PG_BIN, name) : '',
    ...fs
      .readdirSync('/usr/lib/postgresql', { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => path.join('/usr/lib/postgresql', entry.name, 'bin', name))
      .sort()
      .reverse(),
  ].filter(Boolean);
  const found = candidates.find((candidate) => fs.existsSync(candidate));
  if (!found) throw new StackError('postgres', `${name} not found (install PostgreSQL 15 or set PG_BIN)`);
  return found;
}

function run(service: string, command: string, args: string[]): void {
  const [cmd, argv] = asServerUser(command, args);
  try {
    execFileSync(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    const detail = [stderr || String(error), lastLines(logFile)].filter(Boolean).join('\n');
    throw new StackError(service, `${path.basename(command)} failed: ${detail}`, logFile);
  }
}

export function postgresUrl(state: StackState, database: string): string {
  const password = encodeURIComponent(state.postgresPassword);
  return `postgresql://${superuser}:${password}@127.0.0.1:${state.ports.postgres}/${database}`;
}

async function query(state: StackState, database: string, sql: string): Promise<pg.QueryResult> {
  const client = new pg.Client({
    connectionString: postgresUrl(state, database),
    connectionTimeoutMillis: 5000,
  });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

function initialise(state: StackState): void {
  fs.mkdirSync(root, { recursive: true });
  const passwordFile = path.join(root, 'initdb-password');
  fs.writeFileSync(passwordFile, state.postgresPassword);
  if (runsAsRoot) execFileSync('chown', ['-R', 'postgres:postgres', root]);
  try {
    run('postgres', binary('initdb'), [
      '-D',
      dataDir,
      '-U',
      superuser,
      `--pwfile=${passwordFile}`,
      '--auth-local=trust',
      '--auth-host=scram-sha-256',
      '--encoding=UTF8',
      '--no-locale',
    ]);
  } finally {
    fs.rmSync(passwordFile, { force: true });
  }
}

function postmasterPid(): number {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  return fs.existsSync(pidFile) ? Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]) : 0;
}

export const postgres: Service = {
  name: 'postgres',
  logFile,
  url: (state) => postgresUrl(state, 'prodclass'),
  async answers(state) {
    return query(state, 'prodclass', 'select 1').then(
      () => true,
      () => false,
    );
  },
  async start(state, progress) {
    if (!fs.existsSync(path.join(dataDir, 'PG_VERSION'))) {
      progress('postgres: initialising a new cluster');
      initialise(state);
    }
    fs.mkdirSync(path.dirname(logFile), { recursive: true });
    fs.appendFileSync(logFile, '');
    if (runsAsRoot) execFileSync('chown', ['postgres:postgres', logFile]);
    const options = [
      `-p ${state.ports.postgres}`,
      '-c listen_addresses=127.0.0.1',
      "-c unix_socket_directories=''",
      // A disposable development stack: durability is traded for speed.
      '-c fsync=off',
      '-c full_page_writes=off',
      '-c synchronous_commit=off',
      '-c max_connections=200',
    ].join(' ');
    run('postgres', binary('pg_ctl'), [
      '-D',
      dataDir,
      '-l',
      logFile,
      '-o',
      options,
      '-w',
      '-t',
      '60',
      'start',
    ]);
    for (const database of databases) {
      const exists = await query(
        state,
        'postgres',
        `select 1 from pg_database where datname = '${database}'`,
      );
      if (exists.rowCount === 0) await query(state, 'postgres', `create database ${database}`);
    }
    return postmasterPid();
  },
  async stop() {
    if (postmasterPid() === 0) return;
    run('postgres', binary('pg_ctl'), ['-D', dataDir, '-m', 'fast', '-w', '-t', '60', 'stop']);
  },
};
