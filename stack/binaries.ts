import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from './paths.js';
import { StackError } from './processes.js';

type GoBuilt = 'etcd' | 'kube-apiserver' | 'helm';

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, name);
    if (dir && fs.existsSync(candidate)) return candidate;
  }
  return undefined;
}

/**
 * A binary from KUBEBUILDER_ASSETS or PATH when present; otherwise built once from the Go module
 * proxy by stack/build-binaries.sh and cached under ~/.cache/prodclass.
 */
export function locateBinary(name: GoBuilt): string {
  const assets = process.env.KUBEBUILDER_ASSETS;
  if (assets && fs.existsSync(path.join(assets, name))) return path.join(assets, name);
  const found = onPath(name);
  if (found) return found;
  try {
    return execFileSync('bash', [path.join(repoRoot, 'stack', 'build-binaries.sh'), name], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    }).trim();
  } catch {
    throw new StackError(name, 'building it from the Go module proxy failed (see the output above)');
  }
}
