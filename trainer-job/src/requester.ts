import os from 'node:os';

/** Who asked, for the records: PRODCLASS_REQUESTED_BY (the operator sets it), else the local user. */
export function requester(): string {
  return process.env.PRODCLASS_REQUESTED_BY?.trim() || `cli:${os.userInfo().username}`;
}
