import fs from 'node:fs';
import type http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { localDir } from '../../../stack/paths.js';

/** One write an operator replica made through the relay, on the test process's monotonic clock. */
export interface RecordedWrite {
  writer: string;
  method: string;
  path: string;
  status: number;
  /** When the relay sent the request on to the API server, and when its answer came back (ms). */
  sentAt: number;
  answeredAt: number;
}

const writeMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * An HTTPS relay in front of the API server for one operator replica: it records every write the
 * replica makes (what an API server audit log would, with the writer known by the relay it used)
 * and can cut the replica off (every connection dropped, new ones refused) and let it back, or
 * hold its requests (read, then neither forwarded nor answered: an API server that stalls).
 * It serves with the local stack's API server certificate; the stack's kubeconfig skips TLS
 * verification, as the operator then does.
 */
export class AuditRelay {
  readonly writes: RecordedWrite[] = [];
  /** The watches the replica opened: resource path and when (ms). */
  readonly watches: { path: string; sentAt: number }[] = [];
  readonly #sockets = new Set<net.Socket>();
  readonly #upstreamRequests = new Set<http.ClientRequest>();
  readonly #agent = new https.Agent({ keepAlive: true, rejectUnauthorized: false });
  readonly #target: URL;
  #cut = false;
  #holding = false;
  #server: https.Server;
  port = 0;

  constructor(
    readonly writer: string,
    apiServer: string,
  ) {
    this.#target = new URL(apiServer);
    const pki = path.join(localDir, 'kubernetes/pki');
    this.#server = https.createServer(
      {
        cert: fs.readFileSync(path.join(pki, 'apiserver.crt')),
        key: fs.readFileSync(path.join(pki, 'apiserver.key')),
      },
      (request, response) => this.#relay(request, response),
    );
    this.#server.on('connection', (socket: net.Socket) => {
      if (this.#cut) {
        socket.destroy();
        return;
      }
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
  }

  #relay(request: http.IncomingMessage, response: http.ServerResponse): void {
    if (this.#holding) return;
    const method = request.method ?? 'GET';
    const url = request.url ?? '/';
    const sentAt = performance.now();
    if (method === 'GET' && /[?&]watch=true/.test(url))
      this.watches.push({ path: url.split('?')[0] as string, sentAt });
    const upstream = https.request(
      {
        host: this.#target.hostname,
        port: this.#target.port,
        method,
        path: url,
        headers: { ...request.headers, host: this.#target.host },
        agent: this.#agent,
      },
      (answer) => {
        if (writeMethods.has(method))
          this.writes.push({
            writer: this.writer,
            method,
            path: url.split('?')[0] as string,
            status: answer.statusCode ?? 0,
            sentAt,
            answeredAt: performance.now(),
          });
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
        answer.on('error', () => response.destroy());
      },
    );
    this.#upstreamRequests.add(upstream);
    upstream.on('close', () => this.#upstreamRequests.delete(upstream));
    upstream.on('error', () => response.destroy());
    response.on('close', () => upstream.destroy());
    request.pipe(upstream);
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    this.port = (this.#server.address() as net.AddressInfo).port;
  }

  get url(): string {
    return `https://127.0.0.1:${this.port}`;
  }

  /** Drops every connection, in flight or idle, and refuses new ones until `restore()`. */
  cut(): void {
    this.#cut = true;
    for (const upstream of this.#upstreamRequests) upstream.destroy();
    for (const socket of this.#sockets) socket.destroy();
  }

  /** From now on, requests are read and then left unanswered, their connections open (`stop()` drops them). */
  hold(): void {
    this.#holding = true;
  }

  restore(): void {
    this.#cut = false;
  }

  async stop(): Promise<void> {
    this.cut();
    this.#agent.destroy();
    await new Promise((resolve) => this.#server.close(resolve));
  }
}
