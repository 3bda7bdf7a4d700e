import type { ServerResponse } from 'node:http';
import type { ClusterView } from './cluster.js';
import { rowOf } from './pages/rows.js';

/**
 * Server-sent events to every open page. Changes come from the cluster view's single watch per
 * kind; nothing here asks the API server anything per connected user.
 */
export class LiveStream {
  readonly #clients = new Set<ServerResponse>();
  readonly #heartbeat: NodeJS.Timeout;
  readonly #unsubscribe: () => void;

  constructor(cluster: ClusterView) {
    this.#unsubscribe = cluster.subscribe(({ event, kind, object }) => {
      const row = rowOf(kind, object);
      this.broadcast('resource', {
        event,
        kind,
        key: `${kind}/${object.metadata.name}`,
        html: event === 'deleted' ? '' : (row?.value ?? ''),
      });
    });
    this.#heartbeat = setInterval(() => {
      for (const client of this.#clients) client.write(': keep-alive\n\n');
    }, 25_000);
    this.#heartbeat.unref();
  }

  get clients(): number {
    return this.#clients.size;
  }

  /** Takes over a response and keeps it open until the browser goes away. */
  attach(response: ServerResponse): void {
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    response.write('retry: 3000\n\n');
    this.#clients.add(response);
    response.on('close', () => this.#clients.delete(response));
  }

  broadcast(type: string, data: unknown): void {
    const message = `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
    for (const client of this.#clients) client.write(message);
  }

  close(): void {
    this.#unsubscribe();
    clearInterval(this.#heartbeat);
    for (const client of this.#clients) client.end();
    this.#clients.clear();
  }
}
