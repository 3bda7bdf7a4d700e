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
