import type { KubeApi } from './api.js';
import type { KubeObject, ResourceType } from './objects.js';

export interface WithStatus<S> extends KubeObject {
  status?: S;
}

function stable(value: unknown): string {
  return JSON.stringify(value, (_key, inner) =>
    inner && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => a.localeCompare(b)))
      : inner,
  );
}

/**
 * Writes `status` through the status subresource, unless it is what the object already says.
 * The patch carries the resourceVersion the status was computed from, so a stale view of the
 * object fails with 409 Conflict (and is retried) instead of overwriting a newer status.
 * Returns the object as stored afterwards.
 */
export async function writeStatus<T extends WithStatus<object>>(
  api: KubeApi,
  type: ResourceType,
  object: T,
  status: NonNullable<T['status']>,
): Promise<T> {
  const clean = JSON.parse(JSON.stringify(status)) as Record<string, unknown>;
  if (stable(clean) === stable(object.status ?? {})) return object;
  const removed = Object.keys(object.status ?? {}).filter((key) => !(key in clean));
  const patch = {
    metadata: { resourceVersion: object.metadata.resourceVersion },
    status: { ...clean, ...Object.fromEntries(removed.map((key) => [key, null])) },
  };
  return api.mergePatch<T>(type, object.metadata.namespace ?? '', object.metadata.name, patch, 'status');
}
