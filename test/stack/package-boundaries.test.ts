import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';

// The console and the local runner read and write the custom resources through @prodclass/api and
// @prodclass/kube; the operator is a program of its own, never a library they import.
const repository = path.resolve(import.meta.dirname, '../..');

function sources(directory: string): string[] {
  return fs
    .readdirSync(path.join(repository, directory), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => path.join(directory, file));
}

test.each(['console/src', 'stack/local-runner'])('%s imports nothing from the operator', (directory) => {
  const importers = sources(directory).filter((file) =>
    /from '(@prodclass\/operator|(\.\.\/)+operator\/)/.test(
      fs.readFileSync(path.join(repository, file), 'utf8'),
    ),
  );
  expect(importers).toEqual([]);
});

test('the console package does not depend on the operator', () => {
  const manifest = JSON.parse(fs.readFileSync(path.join(repository, 'console/package.json'), 'utf8'));
  expect(Object.keys({ ...manifest.dependencies, ...manifest.devDependencies })).not.toContain(
    '@prodclass/operator',
  );
});
