/**
 * Keys of the session-level advisory locks (pg_advisory_lock(namespace, key)) that serialise
 * catalog work across processes and machines.
 */
const namespace = 0x70636c73; // "pcls"

export const advisoryLocks = {
  migrations: [namespace, 1],
  loads: [namespace, 2],
  inferenceLogMaintenance: [namespace, 3],
} as const satisfies Record<string, readonly [number, number]>;
