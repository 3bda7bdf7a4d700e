import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import type { KubeObject, ResourceType } from './objects.js';

/** An API server answer other than 2xx, with the Status reason (`AlreadyExists`, `Conflict`, ...). */
export class KubeApiError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = 'KubeApiError';
  }
}

export const isNotFound = (error: unknown) => error instanceof KubeApiError && error.status === 404;
export const isConflict = (error: unknown) =>
  error instanceof KubeApiError && error.status === 409 && error.reason === 'Conflict';
export const isAlreadyExists = (error: unknown) =>
  error instanceof KubeApiError && error.reason === 'AlreadyExists';

interface RequestOptions {
  query?: Record<string, string | undefined>;
  body?: unknown;
  contentType?: string;
}

export interface ObjectList<T> {
  metadata: { resourceVersion: string };
  items: T[];
}

export const fieldManager = 'prodclass-operator';

/**
 * JSON over HTTPS to the API server, with the kubeconfig's credentials (impersonation included)
 * and one keep-alive connection pool. The generated clients of @kubernetes/client-node open a new
 * TLS connection per call and turn timestamps into Dates in lists but not in watch events; plain
 * JSON keeps cache contents the same whichever way they arrived.
 */
export class KubeApi {
  readonly #config: KubeConfig;
  readonly #server: string;
  #agent: https.Agent | undefined;

  constructor(config: KubeConfig) {
    const cluster = config.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig has no current cluster');
    this.#config = config;
    this.#server = cluster.server.replace(/\/$/, '');
  }

  async request<T>(
    method: string,
    path: string,
    { query, body, contentType }: RequestOptions = {},
  ): Promise<T> {
    const options: https.RequestOptions = { headers: {} };
    await this.#config.applyToHTTPSOptions(options);
    this.#agent ??= new https.Agent({
      keepAlive: true,
      maxSockets: 16,
      ca: options.ca,
      cert: options.cert,
      key: options.key,
      rejectUnauthorized: options.rejectUnauthorized,
    });
    const url = new URL(this.#server + path);
    for (const [key, value] of Object.entries(query ?? {}))
      if (value !== undefined) url.searchParams.set(key, value);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = { accept: 'application/json' };
    for (const [key, value] of Object.entries(options.headers ?? {})) headers[key] = String(value);
    if (payload !== undefined) headers['content-type'] = contentType ?? 'application/json';
    return new Promise<T>((resolve, reject) => {
      const request = https.request(
        url,
        { method, headers, agent: this.#agent, timeout: 30_000 },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', reject);
          response.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const status = response.statusCode ?? 0;
            if (status >= 200 && status < 300) {
              resolve((text ? JSON.parse(text) : {}) as T);
              return;
            }
            let parsed: { reason?: string; message?: string } = {};
            try {
              parsed = JSON.parse(text);
            } catch {}
            reject(
              new KubeApiError(
                status,
                parsed.reason ?? 'Unknown',
                `${method} ${path}: ${status} ${parsed.message ?? text.slice(0, 300)}`,
              ),
            );
          });
        },
      );
      request.on('timeout', () => request.destroy(new Error(`${method} ${path}: timed out`)));
      request.on('error', reject);
      request.end(payload);
    });
  }

  list<T extends KubeObject>(
    type: ResourceType,
    namespace?: string,
    labelSelector?: string,
  ): Promise<ObjectList<T>> {
    return this.request('GET', type.path(namespace), { query: { labelSelector } });
  }

  create<T extends KubeObject>(type: ResourceType, namespace: string, body: T): Promise<T> {
    return this.request('POST', type.path(namespace), { body });
  }

  delete(type: ResourceType, namespace: string, name: string): Promise<unknown> {
    return this.request('DELETE', type.path(namespace, name), { body: { propagationPolicy: 'Background' } });
  }

  mergePatch<T extends KubeObject>(
    type: ResourceType,
    namespace: string,
    name: string,
    patch: unknown,
    subresource?: 'status',
  ): Promise<T> {
    const path = type.path(namespace, name) + (subresource ? `/${subresource}` : '');
    return this.request('PATCH', path, { body: patch, contentType: 'application/merge-patch+json' });
  }

  /** Server-side apply: creates or updates the fields this operator owns, taking them over if needed. */
  apply<T extends KubeObject>(type: ResourceType, namespace: string, name: string, body: T): Promise<T> {
    return this.request('PATCH', type.path(namespace, name), {
      body,
      contentType: 'application/apply-patch+yaml',
      query: { fieldManager, force: 'true' },
    });
  }
}
