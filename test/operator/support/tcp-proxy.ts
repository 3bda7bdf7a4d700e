import net from 'node:net';

/** A TCP relay in front of the API server that a test can cut or freeze, to play a flaky network. */
export class TcpProxy {
  readonly #sockets = new Set<net.Socket>();
  #frozen = false;
  #server: net.Server;
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {
    this.#server = net.createServer((client) => {
      if (this.#frozen) {
        client.destroy();
        return;
      }
      const upstream = net.connect(this.target);
      for (const socket of [client, upstream]) {
        this.#sockets.add(socket);
        socket.on('close', () => this.#sockets.delete(socket));
        socket.on('error', () => socket.destroy());
      }
      client.pipe(upstream);
      upstream.pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    this.port = (this.#server.address() as net.AddressInfo).port;
  }

  /** Drops every open connection (new ones are accepted). */
  cut(): void {
    for (const socket of this.#sockets) socket.destroy();
  }

  /** Open connections stay open but carry nothing, and new ones are refused: a silent stall. */
  freeze(): void {
    this.#frozen = true;
    for (const socket of this.#sockets) socket.pause();
  }

  thaw(): void {
    this.#frozen = false;
    this.cut();
  }

  async stop(): Promise<void> {
    this.cut();
    await new Promise((resolve) => this.#server.close(resolve));
  }
}
