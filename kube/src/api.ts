import type http from 'node:http';
import https from 'node:https';
import type { Connection, Credential } from './connection.js';
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
  /** Aborts the request, answered or not (the socket idle timeout alone lets a stalled server hold it for 30 s). */
  signal?: AbortSignal;
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

interface Exchange {
  request: http.ClientRequest;
  response: http.IncomingMessage;
}

interface SendOptions {
  query?: Record<string, string | undefined>;
  headers?: Record<string, string>;
  payload?: Buffer;
  /** Socket idle timeout; 0 for none. */
  timeoutMs: number;
  signal?: AbortSignal;
}

function readBody({ request, response }: Exchange): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    response.on('data', (chunk: Buffer) => chunks.push(chunk));
    response.on('error', reject);
    request.on('error', reject);
    response.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

/**
 * JSON over HTTPS to the API server: one keep-alive connection pool, explicit content types,
 * Status reasons on errors, and streamed watches. A 401 to a credential that can be renewed (an
 * exec plugin's) is retried once with a new one.
 */
export class KubeApi {
  readonly #agent: https.Agent;

  constructor(private readonly connection: Connection) {
    // A client certificate goes with each request: an exec plugin may hand out a new one.
    this.#agent = new https.Agent({
      keepAlive: true,
      maxSockets: 32,
      ca: connection.ca,
      rejectUnauthorized: connection.rejectUnauthorized,
    });
  }

  /** Closes the kept-alive connections (for a client made for a few requests). */
  close(): void {
    this.#agent.destroy();
  }

  async #send(method: string, path: string, options: SendOptions): Promise<Exchange> {
    for (let attempt = 1; ; attempt++) {
      const credential = await this.connection.credential();
      const exchange = await this.#open(method, path, options, credential);
      if (exchange.response.statusCode === 401 && attempt === 1 && this.connection.refused(credential)) {
        exchange.response.resume();
        continue;
      }
      return exchange;
    }
  }

  #open(
    method: string,
    path: string,
    { query, headers, payload, timeoutMs, signal }: SendOptions,
    credential: Credential,
  ): Promise<Exchange> {
    const url = new URL(this.connection.server + path);
    for (const [key, value] of Object.entries(query ?? {}))
      if (value !== undefined) url.searchParams.set(key, value);
    const all: Record<string, string | string[]> = { accept: 'application/json', ...headers };
    if (credential.token) all.authorization = `Bearer ${credential.token}`;
    if (this.connection.impersonate) {
      all['impersonate-user'] = this.connection.impersonate;
      if (this.connection.impersonateGroups?.length)
        all['impersonate-group'] = this.connection.impersonateGroups;
    }
    return new Promise<Exchange>((resolve, reject) => {
      const request = https.request(url, {
        method,
        headers: all,
        agent: this.#agent,
        cert: credential.cert,
        key: credential.key,
        timeout: timeoutMs,
        signal,
      });
      request.on('response', (response) => resolve({ request, response }));
      request.on('timeout', () => request.destroy(new Error(`${method} ${path}: timed out`)));
      request.on('error', reject);
      request.end(payload);
    });
  }

  async request<T>(
    method: string,
    path: string,
    { query, body, contentType, signal }: RequestOptions = {},
  ): Promise<T> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body), 'utf8');
    const headers: Record<string, string> =
      payload === undefined
        ? {}
        : { 'content-type': contentType ?? 'application/json', 'content-length': String(payload.length) };
    const exchange = await this.#send(method, path, { query, headers, payload, timeoutMs: 30_000, signal });
    const text = await readBody(exchange);
    const status = exchange.response.statusCode ?? 0;
    if (status < 200 || status >= 300) throw apiError(method, path, status, text);
    return (text ? JSON.parse(text) : {}) as T;
  }

  /**
   * Streams watch events to `onEvent` until the server ends the watch (resolves), the connection
   * fails (rejects) or `signal` aborts (resolves).
   */
  async watch(
    path: string,
    query: Record<string, string | undefined>,
    onEvent: (event: { type: string; object: unknown }) => void,
    signal: AbortSignal,
  ): Promise<void> {
    let exchange: Exchange;
    try {
      exchange = await this.#send('GET', path, { query: { ...query, watch: 'true' }, timeoutMs: 0, signal });
      if (exchange.response.statusCode !== 200)
        throw apiError('GET', path, exchange.response.statusCode ?? 0, await readBody(exchange));
    } catch (error) {
      if (signal.aborted) return;
      throw error;
    }
    const { request, response } = exchange;
    return new Promise<void>((resolve, reject) => {
      const abort = () => {
        request.destroy();
        resolve();
      };
      if (signal.aborted) return abort();
      signal.addEventListener('abort', abort, { once: true });
      const finish = (error?: Error) => {
        signal.removeEventListener('abort', abort);
        if (error && !signal.aborted) reject(error);
        else resolve();
      };
      request.on('error', finish);
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
