import http from 'node:http';

export interface ConstantRateResult {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  max: number;
  requests: number;
  failures: number;
}

/**
 * Open-loop load: POSTs `bodies` in turn at `rate` requests a second, evenly spaced whatever the
 * answers' pace (autocannon's `overallRate` instead sends each second's budget in one burst).
 * Latencies run from each request's scheduled time, so a stalled server cannot hide its backlog.
 */
export async function constantRate(
  url: string,
  path: string,
  bodies: string[],
  rate: number,
  seconds: number,
): Promise<ConstantRateResult> {
  const target = new URL(url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const total = rate * seconds;
  const intervalMs = 1000 / rate;
  const latencies = new Float64Array(total);
  let sent = 0;
  let answered = 0;
  let failures = 0;
  const started = performance.now();
  await new Promise<void>((resolve) => {
    const finish = (index: number, scheduledAt: number, ok: boolean) => {
      latencies[index] = performance.now() - scheduledAt;
      if (!ok) failures++;
      if (++answered === total) resolve();
    };
    const tick = () => {
      const now = performance.now();
      while (sent < total && started + sent * intervalMs <= now) {
        const index = sent++;
        const scheduledAt = started + index * intervalMs;
        const body = bodies[index % bodies.length] as string;
        const request = http.request(
          {
            agent,
            host: target.hostname,
            port: target.port,
            path,
            method: 'POST',
            headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
          },
          (response) => {
            response.resume();
            response.on('end', () => finish(index, scheduledAt, response.statusCode === 200));
          },
        );
        request.on('error', () => finish(index, scheduledAt, false));
        request.end(body);
      }
      if (sent < total) setTimeout(tick, 0);
    };
    tick();
  });
  const elapsedSeconds = (performance.now() - started) / 1000;
  agent.destroy();
  const sorted = latencies.sort();
  const at = (share: number) => sorted[Math.min(total - 1, Math.floor(share * total))] as number;
  return {
    requestsPerSecond: total / elapsedSeconds,
    p50: at(0.5),
    p99: at(0.99),
    max: sorted[total - 1] as number,
    requests: total,
    failures,
  };
}
