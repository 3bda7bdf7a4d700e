import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';

const repository = path.resolve(import.meta.dirname, '../..');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Starts the prodclass CLI from its TypeScript sources, with `env` added to the environment. */
export function spawnCli(args: string[], env: Record<string, string>): ChildProcess {
  return spawn(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', path.join(repository, 'trainer-job/src/cli.ts'), ...args],
    { cwd: repository, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
}

/** Runs the prodclass CLI to the end. */
export function runCli(args: string[], env: Record<string, string>): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawnCli(args, env);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr?.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
