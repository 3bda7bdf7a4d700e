import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { KubeApi } from '@prodclass/kube/api';
import type { Logger } from '@prodclass/kube/log';
import { type KubeObject, keyOf, serviceType } from '@prodclass/kube/objects';
import type { LocalPod } from './deployment-runner.js';

export const localUrlAnnotation = 'local-runner.prodclass.dev/url';

interface ServiceObject extends KubeObject {
  spec?: { selector?: Record<string, string> };
}

interface Proxy {
  server: http.Server;
  url: string;
  selector: Record<string, string>;
  namespace: string;
  name: string;
  next: number;
}

function selects(proxy: Proxy, pod: LocalPod): boolean {
  return (
    pod.namespace === proxy.namespace &&
    Object.entries(proxy.selector).every(([label, value]) => pod.labels[label] === value)
  );
}

/**
 * One local HTTP proxy per Service, on a port kept for the runner's lifetime: requests go round
 * robin to the ready pods the Service selects, so a rollout swaps backends under a stable URL. A
 * request whose connection to a pod fails before any answer is retried once on another pod.
 */
export class ServiceProxies {
  readonly #proxies = new Map<string, Proxy>();

  constructor(
    private readonly api: KubeApi,
    private readonly pods: () => LocalPod[],
    private readonly log: Logger,
  ) {}

  async observe(service: ServiceObject): Promise<void> {
    const key = keyOf(service);
    const selector = service.spec?.selector ?? {};
    let proxy = this.#proxies.get(key);
    if (proxy) proxy.selector = selector;
    else {
      proxy = await this.#start(service.metadata.namespace ?? 'default', service.metadata.name, selector);
      this.#proxies.set(key, proxy);
      this.log.info('service proxy', { service: key, url: proxy.url });
    }
    if (service.metadata.annotations?.[localUrlAnnotation] !== proxy.url)
      await this.api.mergePatch(serviceType, service.metadata.namespace ?? 'default', service.metadata.name, {
        metadata: { annotations: { [localUrlAnnotation]: proxy.url } },
      });
  }

  forget(service: ServiceObject): void {
    const key = keyOf(service);
    this.#proxies.get(key)?.server.close();
    this.#proxies.delete(key);
  }

  async stop(): Promise<void> {
    await Promise.all(
      [...this.#proxies.values()].map(
        (proxy) =>
          new Promise<void>((resolve) => {
            proxy.server.closeAllConnections();
            proxy.server.close(() => resolve());
          }),
      ),
    );
  }

  /** The names of the Services whose selector matches the pod. */
  servicesSelecting(pod: LocalPod): string[] {
    return [...this.#proxies.values()].filter((proxy) => selects(proxy, pod)).map((proxy) => proxy.name);
  }

  #backends(proxy: Proxy): LocalPod[] {
    return this.pods().filter((pod) => selects(proxy, pod));
  }

  async #start(namespace: string, name: string, selector: Record<string, string>): Promise<Proxy> {
    const server = http.createServer();
    const proxy: Proxy = { server, url: '', selector, namespace, name, next: 0 };
    server.on('request', (request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => this.#forward(proxy, request, Buffer.concat(chunks), response, 2));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return proxy;
  }

  #forward(
    proxy: Proxy,
    request: http.IncomingMessage,
    body: Buffer,
    response: http.ServerResponse,
    attempts: number,
  ): void {
    const backends = this.#backends(proxy);
    if (backends.length === 0) {
      response.writeHead(503, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: 'no ready model server behind this Service (local runner)' }));
      return;
    }
    const pod = backends[proxy.next++ % backends.length] as LocalPod;
    pod.inFlight += 1;
    let released = false;
    const release = () => {
      if (!released) pod.inFlight -= 1;
      released = true;
    };
    const upstream = http.request(
      {
        host: '127.0.0.1',
        port: pod.port,
        method: request.method,
        path: request.url,
        headers: { ...request.headers, host: `127.0.0.1:${pod.port}` },
      },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
        answer.on('end', release);
        answer.on('error', release);
      },
    );
    upstream.on('error', (error) => {
      release();
      if (response.headersSent) {
        response.destroy(error);
      } else if (attempts > 1) {
        this.#forward(proxy, request, body, response, attempts - 1);
      } else {
        response.writeHead(502, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ error: `model server unreachable: ${error.message}` }));
      }
    });
    upstream.end(body);
  }
}
