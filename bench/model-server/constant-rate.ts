import net from 'node:net';

export interface ConstantRateResult {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  max: number;
  requests: number;
  failures: number;
  /** With `windowSeconds`: the same figures for each window of requests by their scheduled time (percentiles of the counted ones). */
  windows?: { fromSecond: number; p50: number; p99: number; max: number; failures: number }[];
}

function percentiles(latencies: Float64Array) {
  const sorted = Float64Array.from(latencies).sort();
  const at = (share: number) =>
    sorted[Math.min(sorted.length - 1, Math.floor(share * sorted.length))] as number;
  return { p50: at(0.5), p99: at(0.99), max: sorted[sorted.length - 1] as number };
}

const headerEnd = Buffer.from('\r\n\r\n');
const contentLengthHeader = /\r\ncontent-length:\s*(\d+)/i;

/** A keep-alive connection carrying one request at a time, reading its answer's bytes without an HTTP client. */
class Connection {
  private socket: net.Socket;
  private received: Buffer | null = null;
  private closed = false;
  /** The request in flight: its number, or -1. */
  inFlight = -1;

  constructor(
    private readonly target: { host: string; port: number },
    private readonly answered: (connection: Connection, request: number, ok: boolean) => void,
  ) {
    this.socket = this.connect();
  }

  static async open(
    target: { host: string; port: number },
    answered: (connection: Connection, request: number, ok: boolean) => void,
  ): Promise<Connection> {
    const connection = new Connection(target, answered);
    await new Promise((resolve, reject) => {
      connection.socket.once('connect', resolve).once('error', reject);
    });
    return connection;
  }

  send(request: number, bytes: Buffer): void {
    this.inFlight = request;
    this.socket.write(bytes);
  }

  close(): void {
    this.closed = true;
    this.socket.destroy();
  }

  private connect(): net.Socket {
    const socket = net.connect(this.target);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.read(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      if (this.closed) return;
      // A dropped connection fails its request and is replaced.
      if (this.inFlight >= 0) this.finish(false);
      this.received = null;
      this.socket = this.connect();
    });
    return socket;
  }

  private read(chunk: Buffer): void {
    const bytes = this.received ? Buffer.concat([this.received, chunk]) : chunk;
    const headerLength = bytes.indexOf(headerEnd);
    if (headerLength < 0) {
      this.received = bytes;
      return;
    }
    const header = bytes.toString('latin1', 0, headerLength);
    const contentLength = contentLengthHeader.exec(header);
    if (!contentLength) throw new Error(`an answer without content-length: ${header}`);
    const end = headerLength + headerEnd.length + Number(contentLength[1]);
    if (bytes.length < end) {
      this.received = bytes;
      return;
    }
    this.received = null;
    this.finish(header.startsWith('HTTP/1.1 200 '));
  }

  private finish(ok: boolean): void {
    const request = this.inFlight;
    this.inFlight = -1;
    this.answered(this, request, ok);
  }
}

/**
 * Open-loop load: POSTs `bodies` in turn at `rate` requests a second, evenly spaced whatever the
 * answers' pace (autocannon's `overallRate` instead sends each second's budget in one burst).
 * Latencies run from each request's scheduled time, so a stalled server cannot hide its backlog.
 * Requests go over a pool of keep-alive connections as prebuilt bytes, and answers are read
 * without an HTTP client, so the generator's own work adds as little as it can to what it measures.
 * With `counted`, the percentiles are over the requests whose body index it accepts (all are sent).
 */
export async function constantRate(
  url: string,
  path: string,
  bodies: string[],
  rate: number,
  seconds: number,
  connectionCount = 64,
  counted: (bodyIndex: number) => boolean = () => true,
  windowSeconds?: number,
): Promise<ConstantRateResult> {
  const target = new URL(url);
  const requests = bodies.map((body) =>
    Buffer.from(
      `POST ${path} HTTP/1.1\r\nhost: ${target.host}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    ),
  );
  const total = rate * seconds;
  const intervalMs = 1000 / rate;
  const latencies = new Float64Array(total);
  const failed = new Uint8Array(total);
  const idle: Connection[] = [];
  /** Requests due while every connection was busy, oldest first. */
  const waiting: number[] = [];
  let sent = 0;
  let answered = 0;
  let failures = 0;
  let started = 0;
  let finished: () => void = () => undefined;

  const send = (connection: Connection, request: number) =>
    connection.send(request, requests[request % requests.length] as Buffer);
  const onAnswer = (connection: Connection, request: number, ok: boolean) => {
    latencies[request] = performance.now() - (started + request * intervalMs);
    if (!ok) {
      failures++;
      failed[request] = 1;
    }
    const next = waiting.shift();
    if (next === undefined) idle.push(connection);
    else send(connection, next);
    if (++answered === total) finished();
  };
  const connections = await Promise.all(
    Array.from({ length: connectionCount }, () =>
      Connection.open({ host: target.hostname, port: Number(target.port) }, onAnswer),
    ),
  );
  idle.push(...connections);

  started = performance.now();
  await new Promise<void>((resolve) => {
    finished = resolve;
    const tick = () => {
      const now = performance.now();
      while (sent < total && started + sent * intervalMs <= now) {
        const connection = idle.pop();
        if (connection) send(connection, sent);
        else waiting.push(sent);
        sent++;
      }
      if (sent < total) setTimeout(tick, Math.max(0, started + sent * intervalMs - performance.now()));
    };
    tick();
  });
  const elapsedSeconds = (performance.now() - started) / 1000;
  for (const connection of connections) connection.close();
  const windows =
    windowSeconds === undefined
      ? undefined
      : Array.from({ length: Math.ceil(seconds / windowSeconds) }, (_, index) => {
          const from = index * windowSeconds * rate;
          const to = Math.min(total, from + windowSeconds * rate);
          const windowLatencies = latencies
            .subarray(from, to)
            .filter((_, offset) => counted((from + offset) % requests.length));
          return {
            fromSecond: index * windowSeconds,
            ...percentiles(windowLatencies),
            failures: failed.subarray(from, to).reduce((sum, value) => sum + value, 0),
          };
        });
  const countedLatencies = latencies.filter((_, request) => counted(request % requests.length));
  return {
    requestsPerSecond: total / elapsedSeconds,
    ...percentiles(countedLatencies),
    requests: countedLatencies.length,
    failures,
    ...(windows ? { windows } : {}),
  };
}
