import http from 'node:http';
import type { AddressInfo } from 'node:net';

const artifactDownloads = '/api/2.0/mlflow-artifacts/artifacts/';

/**
 * An HTTP relay in front of MLflow that holds every artifact download until `release()`, like a
 * slow artifact store, so that a test sees what a server does while its model is loading.
 */
export class ArtifactGate {
  readonly #server: http.Server;
  readonly #target: URL;
  #released = false;
  #waiting: (() => void)[] = [];
  #onHeld: () => void = () => {};
  /** Resolves once a download is being held. */
  readonly held = new Promise<void>((resolve) => {
    this.#onHeld = resolve;
  });
  url = '';

  constructor(trackingUri: string) {
    this.#target = new URL(trackingUri);
    this.#server = http.createServer((request, response) => {
      const relay = () => this.#relay(request, response);
      if (this.#released || !request.url?.startsWith(artifactDownloads)) return relay();
      this.#waiting.push(relay);
      this.#onHeld();
    });
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  release(): void {
    this.#released = true;
    for (const relay of this.#waiting.splice(0)) relay();
  }

  async close(): Promise<void> {
    this.release();
    this.#server.closeAllConnections();
    await new Promise((resolve) => this.#server.close(resolve));
  }

  #relay(request: http.IncomingMessage, response: http.ServerResponse): void {
    const upstream = http.request(
      {
        host: this.#target.hostname,
        port: this.#target.port,
        method: request.method,
        path: request.url,
        headers: { ...request.headers, host: this.#target.host },
      },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    upstream.on('error', () => response.destroy());
    request.pipe(upstream);
  }
}
