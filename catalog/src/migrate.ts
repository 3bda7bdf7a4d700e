import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import type pg from 'pg';
import { advisoryLocks } from './advisory-locks.js';

/** catalog/migrations/, found from this module in both src/ and dist/ (it ships beside them). */
export const migrationsDirectory = new URL('../migrations/', import.meta.url);

export interface MigrationResult {
  applied: string[];
  alreadyApplied: string[];
}

interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

async function readMigrations(): Promise<Migration[]> {
  const names = (await fs.readdir(migrationsDirectory)).filter((name) => name.endsWith('.sql')).sort();
  return Promise.all(
    names.map(async (name) => {
      const sql = await fs.readFile(new URL(name, migrationsDirectory), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    }),
  );
}

/**
 * Applies the migrations not yet recorded in schema_migrations, in file-name order, each whole
 * file in its own transaction together with its record. An advisory lock makes concurrent
 * callers wait for each other, so running it twice at once or again later is harmless. A
 * recorded migration whose file has changed since is an error.
 */
export async function migrate(client: pg.ClientBase): Promise<MigrationResult> {
  const migrations = await readMigrations();
  await client.query('select pg_advisory_lock($1, $2)', [...advisoryLocks.migrations]);
  try {
    await client.query(`create table if not exists schema_migrations (
      name text primary key,
      checksum text not null,
      applied_at timestamptz not null default now()
    )`);
    const { rows } = await client.query<{ name: string; checksum: string }>(
      'select name, checksum from schema_migrations',
    );
    const recorded = new Map(rows.map((row) => [row.name, row.checksum]));
    const result: MigrationResult = { applied: [], alreadyApplied: [] };
    for (const migration of migrations) {
      const checksum = recorded.get(migration.name);
      if (checksum !== undefined) {
        if (checksum !== migration.checksum)
          throw new Error(
            `migration ${migration.name} was changed after it was applied; add a new migration instead`,
          );
        result.alreadyApplied.push(migration.name);
        continue;
      }
      await client.query('begin');
      try {
        await client.query(migration.sql);
        await client.query('insert into schema_migrations (name, checksum) values ($1, $2)', [
          migration.name,
          migration.checksum,
        ]);
        await client.query('commit');
      } catch (error) {
        await client.query('rollback');
        throw new Error(`migration ${migration.name} failed: ${(error as Error).message}`);
      }
      result.applied.push(migration.name);
    }
    return result;
  } finally {
    await client.query('select pg_advisory_unlock($1, $2)', [...advisoryLocks.migrations]);
  }
}
