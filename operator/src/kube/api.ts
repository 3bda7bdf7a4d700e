import type http from 'node:http';
import https from 'node:https';
import type { Connection } from './connection.js';
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

function apiError(method: string, path: string, status: number, text: string): KubeApiError {
  let parsed: { reason?: string; message?: string } = {};
  try {
    parsed = JSON.parse(text);
  } catch {}
  return new KubeApiError(
    status,
    parsed.reason ?? 'Unknown',
    `${method} ${path}: ${status} ${parsed.message ?? text.slice(0, 300)}`,
  );
}

/**
 * JSON over HTTPS to the API server: one keep-alive connection pool, explicit content types,
 * Status reasons on errors, and streamed watches.
 */
export class KubeApi {
  readonly #agent: https.Agent;

  constructor(private readonly connection: Connection) {
    this.#agent = new https.Agent({
      keepAlive: true,
      maxSockets: 32,
      ca: connection.ca,
      cert: connection.cert,
      key: connection.key,
      rejectUnauthorized: connection.rejectUnauthorized,
    });
  }

  #open(
    method: string,
    path: string,
    query: Record<string, string | undefined> | undefined,
    headers: Record<string, string>,
    timeoutMs: number,
  ): http.ClientRequest {
    const url = new URL(this.connection.server + path);
    for (const [key, value] of Object.entries(query ?? {}))
      if (value !== undefined) url.searchParams.set(key, value);
    const token = this.connection.token();
    const all: Record<string, string> = { accept: 'application/json', ...headers };
    if (token) all.authorization = `Bearer ${token}`;
    if (this.connection.impersonate) all['impersonate-user'] = this.connection.impersonate;
    return https.request(url, { method, headers: all, agent: this.#agent, timeout: timeoutMs });
  }

  request<T>(method: string, path: string, { query, body, contentType }: RequestOptions = {}): Promise<T> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body), 'utf8');
    const headers: Record<string, string> =
      payload === undefined
        ? {}
        : { 'content-type': contentType ?? 'application/json', 'content-length': String(payload.length) };
    return new Promise<T>((resolve, reject) => {
      const request = this.#open(method, path, query, headers, 30_000);
      request.on('response', (response) => {
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
          reject(apiError(method, path, status, text));
        });
      });
      request.on('timeout', () => request.destroy(new Error(`${method} ${path}: timed out`)));
      request.on('error', reject);
      request.end(payload);
    });
  }

  /**
   * Streams watch events to `onEvent` until the server ends the watch (resolves), the connection
   * fails (rejects) or `signal` aborts (resolves).
   */
  watch(
    path: string,
    query: Record<string, string | undefined>,
    onEvent: (event: { type: string; object: unknown }) => void,
    signal: AbortSignal,
  ): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const request = this.#open('GET', path, { ...query, watch: 'true' }, {}, 0);
      const abort = () => {
        request.destroy();
        resolve();
      };
      signal.addEventListener('abort', abort, { once: true });
      const finish = (error?: Error) => {
        signal.removeEventListener('abort', abort);
        if (error && !signal.aborted) reject(error);
        else resolve();
      };
      request.on('error', finish);
      request.on('response', (response) => {
        if (response.statusCode !== 200) {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () =>
            finish(apiError('GET', path, response.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'))),
          );
          return;
        }
        let buffered = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          buffered += chunk;
          for (let newline = buffered.indexOf('\n'); newline >= 0; newline = buffered.indexOf('\n')) {
            const line = buffered.slice(0, newline).trim();
            buffered = buffered.slice(newline + 1);
            if (line) onEvent(JSON.parse(line));
          }
        });
        response.on('error', finish);
        response.on('end', () => finish());
      });
      request.end();
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
