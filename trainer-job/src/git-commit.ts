import fs from 'node:fs';
import path from 'node:path';

const objectName = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;

/**
 * The commit of this code: PRODCLASS_GIT_COMMIT (set in images), else the HEAD of the checkout it
 * runs from (not of the working directory, which may be another repository), or of GIT_DIR when it
 * is set, as for git. Read from the repository's files: spawning `git rev-parse HEAD` cost more than
 * the rest of `prodclass --version`.
 */
export function gitCommit(): string | undefined {
  if (process.env.PRODCLASS_GIT_COMMIT) return process.env.PRODCLASS_GIT_COMMIT;
  return headCommitOf(import.meta.dirname);
}

/** The commit HEAD names in the repository around `directory` (GIT_DIR's instead when it is set). */
export function headCommitOf(directory: string): string | undefined {
  try {
    const gitDir = process.env.GIT_DIR ? path.resolve(process.env.GIT_DIR) : enclosingGitDir(directory);
    return gitDir === undefined ? undefined : headCommit(gitDir);
  } catch {
    return undefined;
  }
}

/** The .git directory of the checkout around `start`; a worktree's .git file points at its own. */
function enclosingGitDir(start: string): string | undefined {
  for (let directory = start; ; directory = path.dirname(directory)) {
    const dotGit = path.join(directory, '.git');
    const stat = fs.statSync(dotGit, { throwIfNoEntry: false });
    if (stat?.isDirectory()) return dotGit;
    if (stat?.isFile()) {
      const pointer = /^gitdir: (.+)$/m.exec(fs.readFileSync(dotGit, 'utf8'))?.[1];
      return pointer === undefined ? undefined : path.resolve(directory, pointer.trim());
    }
    if (path.dirname(directory) === directory) return undefined;
  }
}

function headCommit(gitDir: string): string | undefined {
  const head = fs.readFileSync(path.join(gitDir, 'HEAD'), 'utf8').trim();
  if (objectName.test(head)) return head;
  const ref = /^ref: (refs\/\S+)$/.exec(head)?.[1];
  return ref === undefined ? undefined : refCommit(gitDir, ref);
}

/** A branch's commit: its loose ref file, else its line in packed-refs, both in the common directory. */
function refCommit(gitDir: string, ref: string): string | undefined {
  const commonDirFile = path.join(gitDir, 'commondir');
  const commonDir = fs.existsSync(commonDirFile)
    ? path.resolve(gitDir, fs.readFileSync(commonDirFile, 'utf8').trim())
    : gitDir;
  const loose = path.join(commonDir, ref);
  if (fs.existsSync(loose)) {
    const value = fs.readFileSync(loose, 'utf8').trim();
    return objectName.test(value) ? value : undefined;
  }
  const packedRefs = path.join(commonDir, 'packed-refs');
  if (!fs.existsSync(packedRefs)) return undefined;
  for (const line of fs.readFileSync(packedRefs, 'utf8').split('\n')) {
    const [name, packedRef] = line.split(' ');
    if (packedRef === ref && name !== undefined && objectName.test(name)) return name;
  }
  return undefined;
}
