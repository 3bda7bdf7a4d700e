import fs from 'node:fs';
import {
  formatJobResult,
  type JobResult,
  terminationMessagePath,
  terminationMessagePathEnv,
} from '@prodclass/registry/contract/job-result';

/**
 * Writes the command's result as the container's termination message, for the operator to read
 * from the Pod status: to PRODCLASS_TERMINATION_MESSAGE_PATH when set, otherwise to
 * /dev/termination-log when it exists (the kubelet creates it in every container). A run outside a
 * container, without the variable, writes nothing.
 */
export function writeJobResult(result: JobResult): void {
  const message = formatJobResult(result);
  const configured = process.env[terminationMessagePathEnv]?.trim();
  if (configured) {
    fs.writeFileSync(configured, message);
    return;
  }
  let file: number;
  try {
    file = fs.openSync(terminationMessagePath, 'r+');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  try {
    fs.ftruncateSync(file);
    fs.writeSync(file, message);
  } finally {
    fs.closeSync(file);
  }
}
