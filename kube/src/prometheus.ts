/**
 * The Prometheus HTTP API's instant query (GET /api/v1/query), as the console and the operator
 * read it: each sample of the resulting vector with its labels. Errors say whether Prometheus
 * could not be reached or refused the query.
 */

export interface Sample {
  labels: Record<string, string>;
  value: number;
}

interface VectorResponse {
  status: string;
  error?: string;
  data?: { resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] };
}

export interface InstantQueryOptions {
  /** Evaluate at this time instead of now. */
  time?: Date;
  timeoutMs?: number;
}

/** The samples of an instant vector query; samples whose value is not a finite number (NaN) are left out. */
export async function instantQuery(
  baseUrl: string,
  query: string,
  { time, timeoutMs = 5_000 }: InstantQueryOptions = {},
): Promise<Sample[]> {
  const url = new URL('/api/v1/query', baseUrl);
  url.searchParams.set('query', query);
  if (time) url.searchParams.set('time', String(time.getTime() / 1000));
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    const cause = (error as Error & { cause?: Error }).cause?.message ?? (error as Error).message;
    throw new Error(`Prometheus at ${url.origin} is unreachable: ${cause}`);
  }
  const body = (await response.json().catch(() => undefined)) as VectorResponse | undefined;
  if (body?.status !== 'success')
    throw new Error(`Prometheus query failed: ${body?.error ?? `HTTP ${response.status}`}`);
  if (body.data?.resultType !== 'vector')
    throw new Error(`Prometheus query did not return an instant vector: ${query}`);
  const samples: Sample[] = [];
  for (const sample of body.data.result) {
    const value = Number(sample.value[1]);
    if (Number.isFinite(value)) samples.push({ labels: sample.metric, value });
  }
  return samples;
}
