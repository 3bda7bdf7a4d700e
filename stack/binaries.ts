import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { logFileOf, repoRoot } from './paths.js';
import { StackError } from './processes.js';

type GoBuilt = 'etcd' | 'kube-apiserver' | 'helm';

const buildScript = path.join(repoRoot, 'stack', 'build-binaries.sh');

/**
 * A binary from KUBEBUILDER_ASSETS or PATH when present; otherwise built once from the Go module
 * proxy by stack/build-binaries.sh and cached under ~/.cache/prodclass. The set-up of both npm
 * commands builds them first (stack/prepare.sh), so here a build only happens for a bare
 * `npm run stack -- up`. Asynchronous, so that services already starting keep being watched.
 */
export async function locateBinary(name: GoBuilt, progress: (line: string) => void): Promise<string> {
  const buildLog = logFileOf(`build-${name}`);
  const timer = setTimeout(
    () => progress(`${name}: building it from the Go module proxy (first run only; log: ${buildLog})`),
    2000,
  );
  try {
    const { stdout, stderr } = await promisify(execFile)('bash', [buildScript, name], {
      maxBuffer: 64 * 1024 * 1024,
    });
    fs.writeFileSync(buildLog, stderr);
    return stdout.trim();
  } catch (error) {
    fs.writeFileSync(buildLog, String((error as { stderr?: string }).stderr ?? error));
    throw new StackError(name, 'building it from the Go module proxy failed', buildLog);
  } finally {
    clearTimeout(timer);
  }
}

/** A binary the set-up has made ready; never builds (tests use it), and says how to get it when absent. */
export function preparedBinary(name: GoBuilt): string {
  try {
    return execFileSync('bash', [buildScript, '--locate', name], { encoding: 'utf8' }).trim();
  } catch (error) {
    throw new Error(String((error as { stderr?: string }).stderr ?? error).trim());
  }
}
