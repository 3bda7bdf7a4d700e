import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { migrate } from '@prodclass/catalog/migrate';
import pg from 'pg';
import { freePort } from '../../stack/processes.js';

const run = promisify(execFile);
const runsAsRoot = process.getuid?.() === 0;
const superuser = 'prodclass';

export interface DedicatedPostgres {
  /** postgresql:// URL of its migrated `prodclass` database. */
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops it and removes its data directory. */
  destroy(): Promise<void>;
}

function binary(name: string): string {
  const dirs = process.env.PG_BIN
    ? [process.env.PG_BIN]
    : fs
        .readdirSync('/usr/lib/postgresql')
        .sort()
        .reverse()
        .map((version) => path.join('/usr/lib/postgresql', version, 'bin'));
  const found = dirs.map((dir) => path.join(dir, name)).find((candidate) => fs.existsSync(candidate));
  if (!found) throw new Error(`${name} not found: install PostgreSQL 15 (scripts/setup.sh) or set PG_BIN`);
  return found;
}

/** PostgreSQL refuses to run as root; then its commands run as the `postgres` user. */
async function asServerUser(command: string, args: string[]): Promise<void> {
  const [file, argv] = runsAsRoot ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
  await run(file, argv);
}

/**
 * A PostgreSQL server of its own (data directory under /var/tmp, its own port) that a test or a
 * bench may stop and start for real, which the stack's PostgreSQL, shared by every test, may not be.
 */
export async function startDedicatedPostgres(): Promise<DedicatedPostgres> {
  const root = fs.mkdtempSync('/var/tmp/prodclass-dedicated-postgres-');
  const dataDir = path.join(root, 'data');
  const logFile = path.join(root, 'postgres.log');
  if (runsAsRoot) await run('chown', ['postgres:postgres', root]);
  await asServerUser(binary('initdb'), [
    '-D',
    dataDir,
    '-U',
    superuser,
    '--auth=trust',
    '--encoding=UTF8',
    '--no-locale',
  ]);
  const port = await freePort();
  const options = [
    `-p ${port}`,
    '-c listen_addresses=127.0.0.1',
    "-c unix_socket_directories=''",
    '-c fsync=off',
    '-c full_page_writes=off',
    '-c synchronous_commit=off',
  ].join(' ');
  const start = () =>
    asServerUser(binary('pg_ctl'), ['-D', dataDir, '-l', logFile, '-o', options, '-w', 'start']);
  const stop = () => asServerUser(binary('pg_ctl'), ['-D', dataDir, '-m', 'fast', '-w', 'stop']);
  await start();
  const url = `postgresql://${superuser}@127.0.0.1:${port}/prodclass`;
  const admin = new pg.Client({ connectionString: `postgresql://${superuser}@127.0.0.1:${port}/postgres` });
  await admin.connect();
  await admin.query('create database prodclass').finally(() => admin.end());
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await migrate(client).finally(() => client.end());
  return {
    url,
    stop,
    start,
    destroy: async () => {
      if (fs.existsSync(path.join(dataDir, 'postmaster.pid'))) await stop();
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}
