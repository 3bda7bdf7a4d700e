import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';
import { crdDirectories, crdFiles, generateCommand } from './crds.js';

const root = path.resolve(import.meta.dirname, '../..');

test.each(crdDirectories)('%s holds exactly the CRDs generated from api/src/kinds/', (directory) => {
  const generated = crdFiles();
  const committed = fs
    .readdirSync(path.join(root, directory))
    .filter((name) => name.endsWith('.yaml'))
    .sort();
  expect(
    committed,
    `${directory} lists other CRDs than api/src/kinds/ defines: run ${generateCommand}`,
  ).toEqual(generated.map(({ name }) => name).sort());
  for (const { name, text } of generated)
    expect(
      fs.readFileSync(path.join(root, directory, name), 'utf8') === text,
      `${directory}/${name} differs from what api/src/kinds/ generates: run ${generateCommand}`,
    ).toBe(true);
});
