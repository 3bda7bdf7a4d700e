import { readFileSync } from 'node:fs';
import { gitCommit } from './git-commit.js';

interface PackageManifest {
  version: string;
}

function packageVersion(): string {
  // src/ and dist/ both sit next to the package's package.json.
  const manifest: unknown = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  const version = (manifest as Partial<PackageManifest>).version;
  if (typeof version !== 'string') throw new Error('trainer-job/package.json has no version');
  return version;
}

/** What `prodclass --version` prints: the package version and the commit of the code, or "unknown". */
export function versionText(): string {
  return `prodclass ${packageVersion()} (git commit ${gitCommit() ?? 'unknown'})`;
}
