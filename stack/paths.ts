import path from 'node:path';

export const repoRoot = path.resolve(import.meta.dirname, '..');
export const localDir = path.join(repoRoot, '.local');
export const logDir = path.join(localDir, 'logs');
export const stateFile = path.join(localDir, 'stack.json');
export const envFile = path.join(localDir, 'stack.env');

export function logFileOf(service: string): string {
  return path.join(logDir, `${service}.log`);
}
