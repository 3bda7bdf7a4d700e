import type { EventKind } from '@prodclass/kube/events';
import type { ResourceType } from '@prodclass/kube/objects';
import { type WithStatus, writeStatus } from '@prodclass/kube/status';
import type { ReconcileContext } from './context.js';

export interface Announcement {
  type: EventKind;
  reason: string;
  message: string;
}

/**
 * Writes the new status (skipped when unchanged) and, when it is a transition worth telling a
 * person about, records an Event. Returns the object as stored.
 */
export async function publish<T extends WithStatus<object>>(
  ctx: ReconcileContext,
  type: ResourceType,
  object: T,
  status: NonNullable<T['status']>,
  announcement?: Announcement,
): Promise<T> {
  const stored = await writeStatus(ctx.api, type, object, status);
  if (announcement && stored !== object)
    ctx.events.record(object, announcement.type, announcement.reason, announcement.message);
  return stored;
}
