import type { KubeApi } from '@prodclass/kube/api';
import type { AuthMode } from './config.js';

/** Who made a request; `undefined` user when authentication is off. */
export interface Identity {
  user: string | undefined;
  groups: string[];
  /** The user's own bearer token (`bearer` mode), for requests the console makes as the user. */
  token?: string;
}

export class AuthError extends Error {
  constructor(
    readonly statusCode: 401 | 403,
    message: string,
  ) {
    super(message);
    this.name = 'AuthError';
  }
}

export interface AuthSettings {
  mode: AuthMode;
  userHeader: string;
  groupsHeader: string;
}

type Headers = Record<string, string | string[] | undefined>;

const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

/**
 * Authentication at the edge and authorization by the API server's RBAC:
 * - `off`: nobody is identified; every action runs with the console's own permissions.
 * - `bearer`: an `Authorization: Bearer` token (set by an authenticating proxy), checked with a
 *   TokenReview.
 * - `proxy`: the user (and comma-separated groups) named by headers that a trusted proxy sets.
 * Actions are then allowed by a SubjectAccessReview as that user.
 */
export class Authenticator {
  constructor(
    private readonly api: KubeApi,
    private readonly settings: AuthSettings,
  ) {}

  get enabled(): boolean {
    return this.settings.mode !== 'off';
  }

  async identify(headers: Headers): Promise<Identity> {
    if (this.settings.mode === 'off') return { user: undefined, groups: [] };
    if (this.settings.mode === 'proxy') {
      const user = first(headers[this.settings.userHeader])?.trim();
      if (!user) throw new AuthError(401, `no user: the ${this.settings.userHeader} header is missing`);
      const groups = (first(headers[this.settings.groupsHeader]) ?? '')
        .split(',')
        .map((group) => group.trim())
        .filter(Boolean);
      return { user, groups };
    }
    const token = /^Bearer\s+(\S+)$/i.exec(first(headers.authorization) ?? '')?.[1];
    if (!token) throw new AuthError(401, 'no user: an Authorization: Bearer token is required');
    const review = await this.api.request<{
      status?: { authenticated?: boolean; user?: { username?: string; groups?: string[] }; error?: string };
    }>('POST', '/apis/authentication.k8s.io/v1/tokenreviews', {
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } },
    });
    const username = review.status?.user?.username;
    if (!review.status?.authenticated || !username) throw new AuthError(401, 'the bearer token is not valid');
    return { user: username, groups: review.status.user?.groups ?? [], token };
  }

  /** Throws a 403 AuthError unless RBAC lets `identity` do `verb` on the custom resource (or its subresource). */
  async authorize(
    identity: Identity,
    attributes: {
      verb: string;
      group: string;
      resource: string;
      subresource?: string;
      name?: string;
      namespace: string;
    },
  ): Promise<void> {
    if (identity.user === undefined) return;
    const review = await this.api.request<{ status?: { allowed?: boolean; reason?: string } }>(
      'POST',
      '/apis/authorization.k8s.io/v1/subjectaccessreviews',
      {
        body: {
          apiVersion: 'authorization.k8s.io/v1',
          kind: 'SubjectAccessReview',
          spec: { user: identity.user, groups: identity.groups, resourceAttributes: attributes },
        },
      },
    );
    if (!review.status?.allowed)
      throw new AuthError(
        403,
        `${identity.user} may not ${attributes.verb} ${attributes.resource}${attributes.subresource ? `/${attributes.subresource}` : ''} in namespace ${attributes.namespace}`,
      );
  }
}
