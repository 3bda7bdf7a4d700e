import type { FastifyInstance } from 'fastify';
import { loadBundleClassifier } from '../../../model-server/src/bundle-classifier.js';
import { loadConfig } from '../../../model-server/src/config.js';
import { buildServer } from '../../../model-server/src/server.js';

export interface RunningServer {
  app: FastifyInstance;
  url: string;
  close(): Promise<void>;
}

/** A model server in this process on a free port of 127.0.0.1, configured as by its environment. */
export async function startServer(env: Record<string, string>): Promise<RunningServer> {
  const config = loadConfig({ HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'silent', ...env });
  const app = await buildServer({ config, loadClassifier: loadBundleClassifier });
  const address = await app.listen({ host: config.host, port: config.port });
  return { app, url: address, close: () => app.close() };
}

export async function waitUntil(
  what: string,
  condition: () => Promise<boolean>,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function waitUntilReady(url: string): Promise<void> {
  await waitUntil(`${url} is ready`, async () => (await fetch(`${url}/ready`)).ok);
}

export interface Prediction {
  prdtypecode: number;
  category: string;
  confidence: number;
  top_k: { prdtypecode: number; category: string; probability: number }[];
  model: { name: string; version: string; alias: string | null };
  prediction_id: string;
}

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
}

export async function postJson<T = Prediction>(
  url: string,
  body: unknown,
): Promise<{ status: number; body: T }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as T };
}

export async function getJson<T>(url: string): Promise<{ status: number; body: T }> {
  const response = await fetch(url);
  return { status: response.status, body: (await response.json()) as T };
}

/** The value of one sample of the Prometheus text exposition, e.g. `name{label="x"}`. */
export function sampleValue(exposition: string, sample: string): number | undefined {
  const line = exposition.split('\n').find((candidate) => candidate.startsWith(`${sample} `));
  return line === undefined ? undefined : Number(line.slice(sample.length + 1));
}
