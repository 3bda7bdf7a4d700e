import pg from 'pg';
import { expect, test } from 'vitest';
import { isDatabaseAway } from './inference-log.js';

function databaseError(code: string): pg.DatabaseError {
  const error = new pg.DatabaseError('failed', 0, 'error');
  error.code = code;
  return error;
}

test('rows are kept for later when PostgreSQL is away, not when it refuses them', () => {
  // No answer at all: refused or timed-out connections, a lost socket.
  expect(isDatabaseAway(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toBe(
    true,
  );
  expect(isDatabaseAway(new Error('Connection terminated unexpectedly'))).toBe(true);
  // Shutting down, starting up, too many connections, a broken connection.
  for (const code of ['57P01', '57P03', '53300', '08006'])
    expect(isDatabaseAway(databaseError(code))).toBe(true);
  // A missing table, a bad value, a unique violation: writing them again would fail again.
  for (const code of ['42P01', '22P02', '23505']) expect(isDatabaseAway(databaseError(code))).toBe(false);
});
