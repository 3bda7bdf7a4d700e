import { requireCurrentSchema } from '@prodclass/catalog/schema-version';
import pg from 'pg';

/** PostgreSQL did not let the schema check connect. */
export class DatabaseUnreachableError extends Error {
  constructor(cause: Error) {
    super(`cannot reach the inference-log database (DATABASE_URL): ${cause.message}`, { cause });
    this.name = 'DatabaseUnreachableError';
  }
}

// A host that does not answer would otherwise hold the check for the system's TCP timeout.
const connectTimeoutMs = 5_000;

async function checkSchema(databaseUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: connectTimeoutMs });
  await client.connect().catch((error: Error) => {
    throw new DatabaseUnreachableError(error);
  });
  try {
    await requireCurrentSchema(client);
  } finally {
    await client.end();
  }
}

/**
 * The check that the database's schema is current (the inference_log table among it; `prodclass db
 * migrate` is what changes it), made until it passes once: a failed check is made again on the next
 * call, a passed one is not.
 */
export function schemaCheck(databaseUrl: string): () => Promise<void> {
  let passed: Promise<void> | undefined;
  return () => {
    passed ??= checkSchema(databaseUrl).catch((error: Error) => {
      passed = undefined;
      throw error;
    });
    return passed;
  };
}
