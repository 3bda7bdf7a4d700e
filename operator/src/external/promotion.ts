import type { PromotionRequest } from '@prodclass/registry/promotion/promote';

/** Moves the alias and records the decision; resolves with the version the alias pointed at before. */
export type Promote = (request: PromotionRequest) => Promise<{ previousVersion?: string }>;

/** The version's own promotion was rejected, so it may never be promoted (rollbacks included). */
export class VersionRejected extends Error {
  override name = 'VersionRejected';
}
