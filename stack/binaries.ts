import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { logFileOf, repoRoot } from './paths.js';
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
 * proxy by stack/build-binaries.sh and cached under ~/.cache/prodclass. Asynchronous, so that
 * services already starting keep being watched while a build runs.
 */
export async function locateBinary(name: GoBuilt, progress: (line: string) => void): Promise<string> {
  const assets = process.env.KUBEBUILDER_ASSETS;
  if (assets && fs.existsSync(path.join(assets, name))) return path.join(assets, name);
  const found = onPath(name);
  if (found) return found;
  const buildLog = logFileOf(`build-${name}`);
  const timer = setTimeout(
    () => progress(`${name}: building it from the Go module proxy (first run only; log: ${buildLog})`),
    2000,
  );
  try {
    const { stdout, stderr } = await promisify(execFile)(
      'bash',
      [path.join(repoRoot, 'stack', 'build-binaries.sh'), name],
      { maxBuffer: 64 * 1024 * 1024 },
    );
    fs.writeFileSync(buildLog, stderr);
    return stdout.trim();
  } catch (error) {
    fs.writeFileSync(buildLog, String((error as { stderr?: string }).stderr ?? error));
    throw new StackError(name, 'building it from the Go module proxy failed', buildLog);
  } finally {
    clearTimeout(timer);
  }
}
