import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const harness = path.join(import.meta.dirname, 'health-harness.lua');
const interpreter = 'lua5.4';

/** A Lua table constructor for a JSON value (null becomes an absent field, as Argo CD's conversion does). */
export function luaLiteral(value: unknown): string {
  if (value === null || value === undefined) return 'nil';
  // JSON's string escapes are Lua's, but for \uXXXX, which Lua 5.4 writes \u{XXXX}.
  if (typeof value === 'string') return JSON.stringify(value).replace(/\\u([0-9a-f]{4})/g, '\\u{$1}');
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `{${value.map(luaLiteral).join(', ')}}`;
  const fields = Object.entries(value as Record<string, unknown>)
    .filter(([, field]) => field !== null && field !== undefined)
    .map(([key, field]) => `[${JSON.stringify(key)}] = ${luaLiteral(field)}`);
  return `{${fields.join(', ')}}`;
}

export interface Health {
  status: string;
  message: string;
}

/** Runs the health check script on `object` with a real Lua interpreter. */
export async function runHealthCheck(check: string, object: unknown): Promise<Health> {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'prodclass-health-'));
  const objectFile = path.join(directory, 'object.lua');
  fs.writeFileSync(objectFile, `return ${luaLiteral(object)}\n`);
  try {
    const { stdout } = await promisify(execFile)(interpreter, [harness, check, objectFile]);
    return JSON.parse(stdout) as Health;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      throw new Error(
        `${interpreter} is not installed: apt-get install lua5.4 (scripts/setup.sh does it when run as root)`,
      );
    throw error;
  } finally {
    fs.rmSync(directory, { recursive: true, force: true });
  }
}
