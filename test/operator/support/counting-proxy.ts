import http from 'node:http';
import type net from 'node:net';

/** An HTTP relay in front of a server that counts the requests passing through, by method and path. */
export class CountingProxy {
  readonly #server: http.Server;
  readonly #counts = new Map<string, number>();
  url = '';

  constructor(private readonly target: string) {
    this.#server = http.createServer((request, response) => {
      const { pathname } = new URL(request.url ?? '/', 'http://proxy');
      const key = `${request.method} ${pathname}`;
      this.#counts.set(key, (this.#counts.get(key) ?? 0) + 1);
      const upstream = http.request(
        new URL(request.url ?? '/', this.target),
        { method: request.method, headers: { ...request.headers, host: new URL(this.target).host } },
        (answer) => {
          response.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(response);
        },
      );
      upstream.on('error', () => response.destroy());
      request.pipe(upstream);
    });
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.#server.address() as net.AddressInfo).port}`;
  }

  /** The requests since the last reset, by `METHOD /path`, and starts counting afresh. */
  take(): Record<string, number> {
    const counts = Object.fromEntries([...this.#counts].sort(([a], [b]) => a.localeCompare(b)));
    this.#counts.clear();
    return counts;
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise((resolve) => this.#server.close(resolve));
  }
}
