import fs from 'node:fs/promises';
import type pg from 'pg';
import { migrationsDirectory } from './migrate.js';

const undefinedTable = '42P01';

/** A migration's number: the digits its file name starts with (`005_drift.sql` is 5). */
function migrationNumber(name: string): number {
  return Number.parseInt(/^\d+/.exec(name)?.[0] ?? '0', 10);
}

/** The schema the database is at, against the one this build's migrations describe. */
export interface SchemaVersion {
  /** The number of the last migration before the first one this build ships and the database lacks (0: none applied). */
  database: number;
  /** The number of this build's last migration. */
  build: number;
  /** This build's migrations the database has not applied, in order. */
  pending: string[];
}

async function appliedMigrations(client: pg.ClientBase): Promise<Set<string>> {
  try {
    const { rows } = await client.query<{ name: string }>('select name from schema_migrations');
    return new Set(rows.map((row) => row.name));
  } catch (error) {
    if ((error as { code?: string }).code === undefinedTable) return new Set();
    throw error;
  }
}

/**
 * Compares the migrations recorded in schema_migrations with those this build ships. It reads only:
 * `prodclass db migrate` is the one program that changes the schema. Migrations the database has
 * and this build does not know (a newer build migrated it) are fine, because migrations only add.
 */
export async function schemaVersion(client: pg.ClientBase): Promise<SchemaVersion> {
  const shipped = (await fs.readdir(migrationsDirectory)).filter((name) => name.endsWith('.sql')).sort();
  const applied = await appliedMigrations(client);
  const pending = shipped.filter((name) => !applied.has(name));
  const firstPending = pending[0];
  const before = firstPending === undefined ? shipped : shipped.slice(0, shipped.indexOf(firstPending));
  return {
    database: migrationNumber(before.at(-1) ?? ''),
    build: migrationNumber(shipped.at(-1) ?? ''),
    pending,
  };
}

/** The database's schema is behind this build: the message names the command that fixes it. */
export class SchemaBehindError extends Error {
  constructor(readonly version: SchemaVersion) {
    super(
      `the database schema is at ${version.database} but this build needs ${version.build}: run prodclass db migrate`,
    );
    this.name = 'SchemaBehindError';
  }
}

/** Throws SchemaBehindError unless every migration of this build has been applied. */
export async function requireCurrentSchema(client: pg.ClientBase): Promise<void> {
  const version = await schemaVersion(client);
  if (version.pending.length > 0) throw new SchemaBehindError(version);
}
