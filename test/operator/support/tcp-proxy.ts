import net from 'node:net';

interface Relay {
  client: net.Socket;
  upstream: net.Socket;
  stalled: boolean;
}

/** A TCP relay in front of the API server that a test can cut or stall, to play a flaky network. */
export class TcpProxy {
  readonly #relays = new Set<Relay>();
  #server: net.Server;
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {
    this.#server = net.createServer((client) => {
      const upstream = net.connect(this.target);
      const relay: Relay = { client, upstream, stalled: false };
      this.#relays.add(relay);
      for (const socket of [client, upstream]) socket.on('error', () => socket.destroy());
      client.pipe(upstream);
      upstream.pipe(client);
      client.on('close', () => {
        this.#relays.delete(relay);
        upstream.destroy();
      });
      // A stalled connection tells the client nothing, not even that the server closed it.
      upstream.on('close', () => {
        if (!relay.stalled) client.destroy();
      });
    });
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    this.port = (this.#server.address() as net.AddressInfo).port;
  }

  /** Drops every open connection (new ones are accepted). */
  cut(): void {
    for (const { client, upstream } of this.#relays) {
      client.destroy();
      upstream.destroy();
    }
  }

  /**
   * Every open connection stays open but carries nothing more, either way, and is never closed:
   * a silent stall (a dead NAT entry, say). New connections are relayed as usual. Returns how
   * many connections it stalled.
   */
  stall(): number {
    for (const relay of this.#relays) {
      relay.stalled = true;
      relay.client.unpipe(relay.upstream);
      relay.upstream.unpipe(relay.client);
      relay.client.pause();
      relay.upstream.pause();
    }
    return this.#relays.size;
  }

  async stop(): Promise<void> {
    this.cut();
    await new Promise((resolve) => this.#server.close(resolve));
  }
}
