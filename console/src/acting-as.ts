import type { Connection } from '@prodclass/kube/connection';
import { AuthError, type Identity } from './auth.js';

/**
 * A connection whose requests the API server sees as made by the signed-in user, not by the
 * console, so that admission policies judge the user: in `bearer` mode with the user's own token
 * (and nothing of the console's credential), in `proxy` mode with the console's credential
 * impersonating the user and their groups (the console's service account needs `impersonate`).
 */
export function connectionAs(connection: Connection, identity: Identity): Connection {
  if (identity.token) {
    const credential = { token: identity.token };
    return {
      server: connection.server,
      ca: connection.ca,
      rejectUnauthorized: connection.rejectUnauthorized,
      credential: async () => credential,
      refused: () => false,
    };
  }
  if (identity.user !== undefined)
    return { ...connection, impersonate: identity.user, impersonateGroups: identity.groups };
  throw new AuthError(
    403,
    "approving or rejecting a promotion needs a signed-in user, and this console's AUTH_MODE is off: there is nobody to approve as. Use kubectl, or run the console with AUTH_MODE bearer or proxy.",
  );
}
