import type { PredictionService } from '@prodclass/api/resources';
import { isNotFound, type KubeApi } from '@prodclass/kube/api';
import { serviceType } from '@prodclass/kube/objects';
import type { ClassExplanation } from './pages/word-contributions.js';

export interface RankedClass {
  prdtypecode: number;
  category: string;
  probability: number;
}

export interface PredictionResult {
  prdtypecode: number;
  category: string;
  confidence: number;
  top_k: RankedClass[];
  model: { name: string; version: string };
  /** The inference log's key, which feedback names; absent when the server logs nothing. */
  prediction_id?: string;
  /** The predicted class's and the runner-up's contributions (the server's `explain`). */
  explanation?: ClassExplanation[];
}

/** Terms each way the simulator asks the server to explain (its most). */
const explainedTerms = 20;

/**
 * The local runner (development stack) serves each Service through a local proxy and records its
 * address in this annotation; in a cluster the PredictionService's own URL is used.
 */
const localRunnerUrlAnnotation = 'local-runner.prodclass.dev/url';

async function serviceUrl(api: KubeApi, service: PredictionService): Promise<string> {
  const namespace = service.metadata.namespace ?? '';
  try {
    const object = await api.request<{ metadata: { annotations?: Record<string, string> } }>(
      'GET',
      serviceType.path(namespace, service.metadata.name),
    );
    const local = object.metadata.annotations?.[localRunnerUrlAnnotation];
    if (local) return local;
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  if (!service.status?.url) throw new Error(`PredictionService ${service.metadata.name} has no URL yet`);
  return service.status.url;
}

/** One `/predict` call to the PredictionService, as any client of it would make, with its explanation. */
export async function predictWith(
  api: KubeApi,
  service: PredictionService,
  product: { designation: string; description: string | null },
): Promise<PredictionResult> {
  const url = await serviceUrl(api, service);
  const response = await fetch(`${url}/predict`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...product, explain: explainedTerms }),
    signal: AbortSignal.timeout(10_000),
  });
  const body = (await response.json().catch(() => ({}))) as PredictionResult & { message?: string };
  if (!response.ok)
    throw new Error(`${service.metadata.name} answered ${response.status}: ${body.message ?? 'no message'}`);
  return body;
}

export interface Correction {
  predictionId: string;
  prdtypecode: number;
  labeledBy: string;
}

/**
 * The simulator's "this is wrong, the right code is …": one `POST /feedback` to the
 * PredictionService with the model servers' FEEDBACK_TOKEN. Resolves with the predictions labeled;
 * rejects with a message a person can act on.
 */
export async function sendFeedback(
  api: KubeApi,
  service: PredictionService,
  feedbackToken: string,
  correction: Correction,
): Promise<number> {
  const url = await serviceUrl(api, service);
  const response = await fetch(`${url}/feedback`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${feedbackToken}` },
    body: JSON.stringify({
      prediction_id: correction.predictionId,
      prdtypecode: correction.prdtypecode,
      labeled_by: correction.labeledBy,
    }),
    signal: AbortSignal.timeout(10_000),
  });
  const body = (await response.json().catch(() => ({}))) as { labeled?: number; message?: string };
  if (response.ok) return body.labeled ?? 0;
  const name = service.metadata.name;
  if (response.status === 404)
    throw new Error(
      `${name} does not take feedback: its model server has no FEEDBACK_TOKEN (or no DATABASE_URL).`,
    );
  if (response.status === 401)
    throw new Error(`${name} refused the console's FEEDBACK_TOKEN: it is not the model server's.`);
  throw new Error(`${name} answered ${response.status}: ${body.message ?? 'no message'}`);
}
