import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';

const repository = path.resolve(import.meta.dirname, '../..');

// The docs quote the error a build gives an unmigrated database; the number they quote is the
// count of migrations this build ships, so it must follow every new migration.
test('the docs quote the schema version this build needs', () => {
  const shipped = fs
    .readdirSync(path.join(repository, 'catalog/migrations'))
    .filter((name) => name.endsWith('.sql'));
  const docs = path.join(repository, 'docs');
  const quoted = fs
    .readdirSync(docs)
    .filter((name) => name.endsWith('.md'))
    .flatMap((name) =>
      [...fs.readFileSync(path.join(docs, name), 'utf8').matchAll(/this build needs (\d+)/g)].map(
        (match) => ({
          page: name,
          needs: Number(match[1]),
        }),
      ),
    );
  expect(quoted.length).toBeGreaterThan(0);
  expect(quoted.filter(({ needs }) => needs !== shipped.length)).toEqual([]);
});
