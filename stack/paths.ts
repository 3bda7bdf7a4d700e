import path from 'node:path';

export const repoRoot = path.resolve(import.meta.dirname, '..');
/** All state, data and logs of the stack. PRODCLASS_LOCAL_DIR moves it (tests use a second stack). */
export const localDir = path.resolve(process.env.PRODCLASS_LOCAL_DIR ?? path.join(repoRoot, '.local'));
export const logDir = path.join(localDir, 'logs');
export const stateFile = path.join(localDir, 'stack.json');
export const envFile = path.join(localDir, 'stack.env');

export function logFileOf(service: string): string {
  return path.join(logDir, `${service}.log`);
}
