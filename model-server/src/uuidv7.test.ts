import { expect, test } from 'vitest';
import { uuidv7 } from './uuidv7.js';

test('UUIDv7: version and variant bits, the timestamp in the first 48 bits, no repeats', () => {
  const now = Date.UTC(2026, 0, 2, 3, 4, 5, 678);
  const id = uuidv7(now);
  expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  expect(Number.parseInt(id.replaceAll('-', '').slice(0, 12), 16)).toBe(now);
  const ids = new Set(Array.from({ length: 20_000 }, () => uuidv7()));
  expect(ids.size).toBe(20_000);
});
