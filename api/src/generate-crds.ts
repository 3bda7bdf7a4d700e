// Writes the CRDs of api/src/kinds/ into crds/ and the chart's and kustomize's copies.
import fs from 'node:fs';
import path from 'node:path';
import { crdDirectories, crdFiles } from './crds.js';

const root = path.resolve(import.meta.dirname, '../..');
const files = crdFiles();
for (const directory of crdDirectories) {
  const dir = path.join(root, directory);
  for (const stale of fs.readdirSync(dir).filter((name) => name.endsWith('.yaml')))
    fs.rmSync(path.join(dir, stale));
  for (const { name, text } of files) fs.writeFileSync(path.join(dir, name), text);
}
console.log(`wrote ${files.length} CRDs into ${crdDirectories.join(', ')}`);
