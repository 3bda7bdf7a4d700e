import { down, up } from '../stack/stack.js';
import type { ServiceName } from '../stack/state.js';

let started: ServiceName[] = [];

/**
 * Brings the local stack up (reusing whatever already runs) and exports its environment to the
 * test workers. A service that cannot start fails the whole run, naming it and its log.
 */
export async function setup() {
  const result = await up((line) => process.stderr.write(`[stack] ${line}\n`));
  started = result.started;
  Object.assign(process.env, result.env);
}

export async function teardown() {
  if (started.length > 0) await down(started);
}
