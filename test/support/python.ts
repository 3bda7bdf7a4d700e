import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const repository = path.resolve(import.meta.dirname, '../..');
export const venvPython = path.join(repository, '.local/venv/bin/python');

/** Runs a Python script of test/ (a path below it) with the project's venv and parses its JSON output. */
export async function runPythonCheck<T>(script: string, args: string[]): Promise<T> {
  const { stdout } = await promisify(execFile)(
    venvPython,
    [path.join(import.meta.dirname, '..', script), ...args],
    {
      maxBuffer: 16 << 20,
    },
  );
  return JSON.parse(stdout) as T;
}
