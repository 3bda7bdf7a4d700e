import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface Probes {
  /** The process works: watches deliver (or are within their allowed silence). */
  healthy(): boolean;
  /** Caches are synced and the operator is not shutting down. */
  ready(): boolean;
}

/** /healthz, /readyz and /metrics. */
export async function startHttpServer(
  host: string,
  port: number,
  probes: Probes,
  registry: Registry,
): Promise<{ port: number; close(): Promise<void> }> {
  const server = http.createServer((request, response) => {
    const path = request.url?.split('?')[0];
    if (path === '/metrics') {
      registry.metrics().then(
        (body) => response.writeHead(200, { 'content-type': registry.contentType }).end(body),
        (error: Error) => response.writeHead(500).end(error.message),
      );
      return;
    }
    const probe = path === '/healthz' ? probes.healthy : path === '/readyz' ? probes.ready : undefined;
    if (!probe) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    const ok = probe();
    response.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' }).end(ok ? 'ok\n' : 'not ok\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
