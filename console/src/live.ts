import type { ServerResponse } from 'node:http';
import type { ClusterView } from './cluster.js';
import { rowOf } from './pages/rows.js';

const replayLimit = 1_000;

/**
 * Server-sent events to every open page. Changes come from the cluster view's single watch per
 * kind; nothing here asks the API server anything per connected user.
 */
export class LiveStream {
  readonly #clients = new Set<ServerResponse>();
  /** Recent resource changes, so that a page that connects after it was rendered misses none. */
  readonly #recent: { id: number; message: string }[] = [];
  #lastId = 0;
  readonly #heartbeat: NodeJS.Timeout;
  readonly #unsubscribe: () => void;

  constructor(cluster: Pick<ClusterView, 'subscribe'>) {
    this.#unsubscribe = cluster.subscribe(({ event, kind, object }) => {
      const row = rowOf(kind, object);
      const id = ++this.#lastId;
      const data = {
        event,
        kind,
        key: `${kind}/${object.metadata.name}`,
        html: event === 'deleted' ? '' : (row?.value ?? ''),
      };
      const message = `id: ${id}\nevent: resource\ndata: ${JSON.stringify(data)}\n\n`;
      this.#recent.push({ id, message });
      if (this.#recent.length > replayLimit) this.#recent.shift();
      for (const client of this.#clients) client.write(message);
    });
    this.#heartbeat = setInterval(() => {
      for (const client of this.#clients) client.write(': keep-alive\n\n');
    }, 25_000);
    this.#heartbeat.unref();
  }

  get clients(): number {
    return this.#clients.size;
  }

  /** The id of the latest change: a page rendered now has seen every change up to it. */
  get lastId(): number {
    return this.#lastId;
  }

  /**
   * Takes over a response and keeps it open until the browser goes away, first replaying the
   * changes after `after` (the page's render, or the browser's Last-Event-ID on a reconnect).
   */
  attach(response: ServerResponse, after: number): void {
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    response.write('retry: 3000\n\n');
    for (const change of this.#recent) if (change.id > after) response.write(change.message);
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
