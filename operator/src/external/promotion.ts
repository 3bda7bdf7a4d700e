/** A request to point `alias` of `registeredModel` at `version`, as the core promotion module takes it. */
export interface PromotionRequest {
  registeredModel: string;
  version: number;
  alias: string;
  reason: string;
  requestedBy: string;
}

/** Moves the alias and records the decision; resolves with the version the alias pointed at before. */
export type Promote = (request: PromotionRequest) => Promise<{ previousVersion?: string }>;

/** The version's own promotion was rejected, so it may never be promoted (rollbacks included). */
export class VersionRejected extends Error {
  override name = 'VersionRejected';
}
